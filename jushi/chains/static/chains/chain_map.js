/* The chain map: an ECharts tree of the chain, its segments and the nodes of the map shown (现状图 or
   远景图), built by the server (#chain-tree). Colour is strength; a dashed diamond is an extension node
   of the target map. A click on a node opens its page. The table under the chart holds the same figures. */
(function () {
  var box = document.getElementById('chain-map');
  var source = document.getElementById('chain-tree');
  if (!box || !source || typeof echarts === 'undefined') return;
  var tree = JSON.parse(source.textContent);
  var chart = echarts.init(box);
  var esc = echarts.format.encodeHTML;
  chart.on('finished', function () { box.dataset.rendered = 'true'; });  // drawn, animation done
  chart.setOption({
    tooltip: {
      trigger: 'item',
      formatter: function (p) {
        var lines = p.data.tip || [p.name];
        return lines.map(function (line, i) { return i === 0 ? '<b>' + esc(line) + '</b>' : esc(line); }).join('<br>');
      }
    },
    series: [{
      type: 'tree',
      data: [tree],
      orient: 'LR',
      top: 20, bottom: 20, left: 110, right: 230,
      initialTreeDepth: -1,
      expandAndCollapse: false,
      roam: false,
      lineStyle: {color: '#c8d1db', width: 1.2, curveness: 0.4},
      label: {
        position: 'left', verticalAlign: 'middle', align: 'right', fontSize: 13, lineHeight: 17,
        formatter: function (p) {
          if (!p.data.sub) return p.name;
          return p.name + (p.data.ext ? ' [延链]' : '') + '\n{sub|' + p.data.sub + '}';
        },
        rich: {sub: {color: '#66788a', fontSize: 11, lineHeight: 15}}
      },
      leaves: {label: {position: 'right', align: 'left'}},
      emphasis: {focus: 'descendant'},
      animationDuration: 300
    }]
  });
  chart.on('click', function (p) {
    if (p.data && p.data.url) window.location.href = p.data.url;
  });
  chart.getZr().on('mousemove', function (e) {
    chart.getZr().setCursorStyle(e.target ? 'pointer' : 'default');
  });
  window.addEventListener('resize', function () { chart.resize(); });
})();

// Moved out of the page so the Content-Security-Policy can forbid inline scripts.
(function () {
  var rows = JSON.parse(document.getElementById('funnel-data').textContent);
  var f = echarts.init(document.getElementById('funnel'));
  f.setOption({
    tooltip: {formatter: function (x) { var r = rows[x.dataIndex]; return x.name + ':已达到 ' + x.value + ' 个,当前在该阶段 ' + r.now + ' 个(协议投资 ' + r.amount + ' 亿元)'; }},
    series: [{type: 'funnel', sort: 'none', left: '10%', width: '80%', top: 10, bottom: 10, minSize: '12%', gap: 2,
              label: {position: 'inside', formatter: '{b} {c}'},
              color: ['#8a94a3', '#66788a', '#b4232a', '#c2474d', '#cf6a6f', '#dc8d91', '#1a7f37'],
              data: rows.map(function (r) { return {name: r.name, value: r.value}; })}]
  });
  window.addEventListener('resize', function () { f.resize(); });
})();

// Moved out of the page so the Content-Security-Policy can forbid inline scripts.
(function () {
  var trend = JSON.parse(document.getElementById('trend').dataset.trend);
  var t = echarts.init(document.getElementById('trend'));
  t.setOption({
    title: {text: '规上工业总产值累计(亿元)', textStyle: {fontSize: 13}},
    tooltip: {trigger: 'axis', formatter: function (items) {
      var i = items[0].dataIndex, lines = [items[0].axisValue];
      items.forEach(function (x) { lines.push(x.seriesName + ':' + (x.value === null || x.value === undefined ? '—' : x.value) + ' 亿元'); });
      if (trend.provisional[i]) { lines.push('初步:' + trend.coverage[i]); }
      return lines.join('<br>'); }},
    legend: {top: 0, right: 0},
    grid: {left: 50, right: 20, top: 40, bottom: 30},
    xAxis: {type: 'category', data: trend.months}, yAxis: {type: 'value'},
    series: [{name: String(trend.this_year), type: 'line', itemStyle: {color: '#b4232a'},
              // a month whose reports were not all approved is provisional: hollow grey point, 初步 in the tooltip
              data: trend.this.map(function (v, i) { return trend.provisional[i] ? {value: v, symbol: 'emptyCircle', symbolSize: 10, itemStyle: {color: '#e0a800'}, label: {show: true, formatter: '初步', color: '#b07d00'}} : v; }),
              tooltip: {valueFormatter: function (v) { return v; }}},
             {name: String(trend.this_year - 1), type: 'line', data: trend.last, itemStyle: {color: '#8a94a3'}, lineStyle: {type: 'dashed'}}]
  });
  var parks = JSON.parse(document.getElementById('parks-data').textContent);
  var p = echarts.init(document.getElementById('parks'));
  p.setOption({
    title: {text: '各园区规上工业总产值(亿元)与增速', textStyle: {fontSize: 13}},
    tooltip: {formatter: function (x) { var g = parks[parks.length - 1 - x.dataIndex].growth; return x.name + ':' + x.value + ' 亿元' + (g === null ? '' : ',同比 ' + (g * 100).toFixed(1) + '%'); }},
    grid: {left: 130, right: 40, top: 36, bottom: 20},
    xAxis: {type: 'value'}, yAxis: {type: 'category', data: parks.map(function (r) { return r.name; }).reverse()},
    series: [{type: 'bar', data: parks.map(function (r) { return r.value; }).reverse(), itemStyle: {color: '#b4232a'}, label: {show: true, position: 'right'}}]
  });
  window.addEventListener('resize', function () { t.resize(); p.resize(); });
  document.getElementById('copy-bulletin').addEventListener('click', function () {
    var text = document.getElementById('bulletin-text').textContent;
    var button = this;
    navigator.clipboard.writeText(text).then(function () { button.textContent = '已复制'; },
      function () { button.textContent = '请手动复制'; });
  });
})();

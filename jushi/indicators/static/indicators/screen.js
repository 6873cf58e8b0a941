// Moved out of the page so the Content-Security-Policy can forbid inline scripts.
(function () {
  var text = {color: '#c9d6ea'}, axis = {axisLine: {lineStyle: {color: '#4a6a99'}}, splitLine: {lineStyle: {color: '#1c3357'}}, axisLabel: text};
  var trend = JSON.parse(document.getElementById('trend').dataset.trend);
  var t = echarts.init(document.getElementById('trend'));
  t.setOption({title: {text: '规上工业总产值累计(亿元)', textStyle: {color: '#e6edf7', fontSize: 16}, left: 12, top: 8},
    tooltip: {trigger: 'axis'}, legend: {textStyle: text, right: 12, top: 8}, grid: {left: 56, right: 24, top: 52, bottom: 32},
    xAxis: Object.assign({type: 'category', data: trend.months}, axis), yAxis: Object.assign({type: 'value'}, axis),
    series: [{name: String(trend.this_year), type: 'line', data: trend.this, itemStyle: {color: '#ff6b6b'}, lineStyle: {width: 3}},
             {name: String(trend.this_year - 1), type: 'line', data: trend.last, itemStyle: {color: '#8fb3e6'}, lineStyle: {type: 'dashed'}}]});
  var parks = JSON.parse(document.getElementById('parks-data').textContent);
  var p = echarts.init(document.getElementById('parks'));
  p.setOption({title: {text: '各园区规上工业总产值(亿元)', textStyle: {color: '#e6edf7', fontSize: 16}, left: 12, top: 8},
    grid: {left: 150, right: 48, top: 52, bottom: 24}, xAxis: Object.assign({type: 'value'}, axis),
    yAxis: Object.assign({type: 'category', data: parks.map(function (r) { return r.name; }).reverse()}, axis),
    series: [{type: 'bar', data: parks.map(function (r) { return r.value; }).reverse(), itemStyle: {color: '#3d8bfd'}, label: {show: true, position: 'right', color: '#e6edf7'}}]});
  window.addEventListener('resize', function () { t.resize(); p.resize(); });
  if (document.documentElement.requestFullscreen) {
    document.addEventListener('dblclick', function () { document.documentElement.requestFullscreen().catch(function () {}); });
  }
})();

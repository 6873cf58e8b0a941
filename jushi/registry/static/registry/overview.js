// Moved out of the page so the Content-Security-Policy can forbid inline scripts.
document.querySelectorAll('.chart[data-parks]').forEach(function (el) {
  var parks = JSON.parse(el.dataset.parks);
  var chart = echarts.init(el);
  chart.setOption({
    title: {text: '各园区/功能区企业数', textStyle: {fontSize: 13}},
    grid: {left: 130, right: 30, top: 36, bottom: 20},
    tooltip: {},
    xAxis: {type: 'value', minInterval: 1},
    yAxis: {type: 'category', data: parks.map(function (p) { return p.name; }).reverse()},
    series: [{type: 'bar', data: parks.map(function (p) { return p.n; }).reverse(), itemStyle: {color: '#b4232a'},
              label: {show: true, position: 'right'}}]
  });
  window.addEventListener('resize', function () { chart.resize(); });
});

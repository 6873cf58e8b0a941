// Moved out of the page so the Content-Security-Policy can forbid inline scripts.
(function () {
  var d = JSON.parse(document.getElementById('monthly-data').textContent);
  var c = echarts.init(document.getElementById('monthly'));
  c.setOption({
    title: {text: document.getElementById('monthly').dataset.year + ' 年月度投资(万元)', textStyle: {fontSize: 13}},
    tooltip: {trigger: 'axis'}, legend: {top: 0, right: 0},
    grid: {left: 60, right: 60, top: 44, bottom: 30},
    xAxis: {type: 'category', data: d.months},
    yAxis: [{type: 'value', name: '当月'}, {type: 'value', name: '累计'}],
    series: [
      {name: '计划', type: 'bar', data: d.planned, itemStyle: {color: '#9fb0c2'}},
      {name: '实际', type: 'bar', data: d.actual, itemStyle: {color: '#b4232a'}},
      {name: '累计计划', type: 'line', yAxisIndex: 1, data: d.planned_cum, itemStyle: {color: '#66788a'}, lineStyle: {type: 'dashed'}},
      {name: '累计实际', type: 'line', yAxisIndex: 1, data: d.actual_cum, itemStyle: {color: '#1a7f37'}}
    ]
  });
  window.addEventListener('resize', function () { c.resize(); });
})();

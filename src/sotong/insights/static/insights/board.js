/* 상황판: ECharts from the JSON the page carries (bars, or a line chart for the trend). Every chart has a
   table below it with the same numbers, so the charts themselves are hidden from assistive technology. */
(function () {
  var source = document.getElementById("board-charts");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var colours = ["#256ef4", "#228738", "#de3412"];
  function bars(chart) {
    return {
      animation: false,
      aria: {enabled: false},
      grid: {left: 8, right: 40, top: 16, bottom: 8, containLabel: true},
      tooltip: {trigger: "axis"},
      xAxis: chart.percent ? {type: "value", min: 0, max: 100} : {type: "value", minInterval: 1},
      yAxis: {type: "category", data: chart.labels, inverse: true},
      series: [{type: "bar", data: chart.values, itemStyle: {color: colours[0]}, label: {show: true, position: "right"}}]
    };
  }
  function lines(chart) {
    return {
      animation: false,
      aria: {enabled: false},
      color: colours,
      legend: {top: 0},
      grid: {left: 8, right: 24, top: 32, bottom: 8, containLabel: true},
      tooltip: {trigger: "axis"},
      xAxis: {type: "category", data: chart.labels},
      yAxis: {type: "value", minInterval: 1},
      series: chart.series.map(function (series) {
        return {type: "line", name: series.name, data: series.values, showSymbol: chart.labels.length <= 31};
      })
    };
  }
  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var chart = data[element.dataset.chart];
    if (!chart) { return; }
    var instance = echarts.init(element, null, {renderer: "svg"});
    instance.setOption(chart.line ? lines(chart) : bars(chart));
    window.addEventListener("resize", function () { instance.resize(); });
  });
})();

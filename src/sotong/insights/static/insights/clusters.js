/* 민원 군집: ECharts from the JSON the page carries (cluster sizes as bars, a cluster's trend as a line).
   Every chart has a table with the same numbers, so the charts are hidden from assistive technology. */
(function () {
  var source = document.getElementById("cluster-charts");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  function option(chart) {
    if (chart.line) {
      return {
        animation: false,
        aria: {enabled: false},
        grid: {left: 8, right: 24, top: 16, bottom: 8, containLabel: true},
        tooltip: {trigger: "axis"},
        xAxis: {type: "category", data: chart.labels},
        yAxis: {type: "value", minInterval: 1},
        series: [{type: "line", data: chart.values, itemStyle: {color: "#256ef4"}, showSymbol: chart.labels.length <= 31}]
      };
    }
    return {
      animation: false,
      aria: {enabled: false},
      grid: {left: 8, right: 40, top: 16, bottom: 8, containLabel: true},
      tooltip: {trigger: "axis"},
      xAxis: {type: "value", minInterval: 1},
      yAxis: {type: "category", data: chart.labels, inverse: true},
      series: [{type: "bar", data: chart.values, itemStyle: {color: "#256ef4"}, label: {show: true, position: "right"}}]
    };
  }
  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var chart = data[element.dataset.chart];
    if (!chart) { return; }
    var instance = echarts.init(element, null, {renderer: "svg"});
    instance.setOption(option(chart));
    window.addEventListener("resize", function () { instance.resize(); });
  });
})();

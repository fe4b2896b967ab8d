// Line charts: a tooltip with the point's label and value on hover and on keyboard focus, and
// arrow keys to move between points (one tab stop per chart). Without JavaScript every point is
// still focusable, has its own <title>, and the chart's data table is one click away.
(function () {
  "use strict";
  document.querySelectorAll("[data-chart]").forEach(function (chart) {
    var points = Array.prototype.slice.call(chart.querySelectorAll("[data-chart-point]"));
    if (!points.length) return;
    var tip = document.createElement("div");
    tip.className = "chart-tooltip";
    tip.setAttribute("aria-hidden", "true");  // the focused point's own label is what is announced
    tip.hidden = true;
    chart.appendChild(tip);

    function show(point) {
      tip.textContent = point.getAttribute("aria-label");
      tip.hidden = false;
      var box = chart.getBoundingClientRect();
      var mark = point.getBoundingClientRect();
      var x = mark.left + mark.width / 2 - box.left;
      var half = tip.offsetWidth / 2;
      x = Math.max(half, Math.min(box.width - half, x));
      tip.style.left = x + "px";
      tip.style.top = (mark.top - box.top) + "px";
    }
    function hide() { tip.hidden = true; }

    points.forEach(function (point, index) {
      point.setAttribute("tabindex", index === points.length - 1 ? "0" : "-1");
      point.addEventListener("mouseenter", function () { show(point); });
      point.addEventListener("mouseleave", hide);
      point.addEventListener("focus", function () { show(point); });
      point.addEventListener("blur", hide);
      point.addEventListener("keydown", function (event) {
        var next = {ArrowLeft: index - 1, ArrowRight: index + 1, Home: 0, End: points.length - 1}[event.key];
        if (next === undefined || next < 0 || next >= points.length) return;
        event.preventDefault();
        point.setAttribute("tabindex", "-1");
        points[next].setAttribute("tabindex", "0");
        points[next].focus();
      });
    });
  });
})();

// 안전 위험 민원 지도: markers of the flagged cases (Leaflet, tiles only when configured), linked to the list.
(function () {
  "use strict";

  function select(id) {
    document.querySelectorAll("#table-safety tr.is-selected").forEach(function (row) { row.classList.remove("is-selected"); });
    var row = document.getElementById("flag-" + id);
    if (row) {
      row.classList.add("is-selected");
      row.scrollIntoView({ block: "nearest" });
    }
  }

  function text(value) {
    var span = document.createElement("span");
    span.textContent = value;
    return span.innerHTML;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("safety-map");
    var config = document.getElementById("safety-map-config");
    var data = document.getElementById("safety-points");
    if (!el || !config || !data || typeof L === "undefined") return;
    var points = JSON.parse(data.textContent);
    var options = config.dataset;
    var center = [parseFloat(options.lat), parseFloat(options.lng)];
    var map = L.map(el, { center: center, zoom: 14, zoomControl: false, attributionControl: !!options.tileUrl });
    L.control.zoom({ zoomInTitle: options.zoomIn, zoomOutTitle: options.zoomOut }).addTo(map);
    if (options.tileUrl) {
      L.tileLayer(options.tileUrl, { maxZoom: 19 }).addTo(map);
    } else {
      el.classList.add("sotong-map-plain");
    }
    var bounds = [];
    points.forEach(function (point) {
      var label = point.receipt + " " + point.title + " (" + point.statusLabel + ")";
      var marker = L.marker([point.lat, point.lng], { alt: label, title: label, opacity: point.status === "dismissed" ? 0.5 : 1 });
      marker.on("add", function () {
        var icon = marker.getElement();
        if (icon) {
          icon.dataset.flag = point.id;
          icon.classList.add("sotong-safety-marker", "is-" + point.status);
        }
      });
      marker.bindPopup(
        '<p><a href="' + text(point.url) + '">' + text(point.receipt) + "</a> " + text(point.statusLabel) + "</p>" +
        "<p>" + text(point.title) + "</p>" +
        (point.approximate ? '<p class="sotong-muted">' + text(options.approximate) + "</p>" : "")
      );
      marker.on("popupopen", function () { select(point.id); });
      marker.addTo(map);
      bounds.push([point.lat, point.lng]);
    });
    if (bounds.length > 1) {
      map.fitBounds(bounds, { padding: [32, 32], maxZoom: 16 });
    } else if (bounds.length === 1) {
      map.setView(bounds[0], 16);
    }
  });
})();

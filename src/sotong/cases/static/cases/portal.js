// Citizen pages of cases: "모두 동의합니다" kept in step with the items, and the location map.
(function () {
  "use strict";

  function consent(form) {
    var all = form.querySelector("input[name=agree_all]");
    if (!all) return;
    var agrees = form.querySelectorAll("input[type=radio][value=agree]");
    all.addEventListener("change", function () {
      form.querySelectorAll("input[type=radio]").forEach(function (radio) {
        if (all.checked) radio.checked = radio.value === "agree";
      });
    });
    form.addEventListener("change", function (event) {
      if (event.target.type !== "radio") return;
      all.checked = Array.prototype.every.call(agrees, function (radio) { return radio.checked; });
    });
  }

  function locationMap(el) {
    if (typeof L === "undefined") return;
    var lat = document.getElementById("id_latitude");
    var lng = document.getElementById("id_longitude");
    if (!lat || !lng) return;
    el.hidden = false;
    var center = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lng)];
    // No keyboard handling or zoom buttons: the map is a pointer shortcut; the inputs are the accessible way.
    var map = L.map(el, { center: center, zoom: 16, keyboard: false, zoomControl: false, attributionControl: !!el.dataset.tileUrl });
    if (el.dataset.tileUrl) {
      L.tileLayer(el.dataset.tileUrl, { maxZoom: 19 }).addTo(map);
    } else {
      el.classList.add("sotong-map-plain");
    }
    var marker = null;
    function place(latlng, fill) {
      if (!marker) {
        marker = L.marker(latlng, { draggable: true, keyboard: false }).addTo(map);
        marker.on("dragend", function () { place(marker.getLatLng(), true); });
      } else {
        marker.setLatLng(latlng);
      }
      if (fill) {
        lat.value = latlng.lat.toFixed(6);
        lng.value = latlng.lng.toFixed(6);
      }
    }
    function fromInputs() {
      var a = parseFloat(lat.value), b = parseFloat(lng.value);
      if (isFinite(a) && isFinite(b)) {
        place([a, b], false);
        map.panTo([a, b]);
      }
    }
    map.on("click", function (event) { place(event.latlng, true); });
    lat.addEventListener("change", fromInputs);
    lng.addEventListener("change", fromInputs);
    fromInputs();
  }

  // After the verification block is swapped in, put the keyboard where the citizen has to act next.
  function focusVerification() {
    var block = document.getElementById("phone-verification");
    if (!block) return;
    var target = block.querySelector("[aria-invalid=true], .form-hint-invalid, .sotong-verified, #id_code");
    if (!target) return;
    if (!/^(INPUT|BUTTON|A)$/.test(target.tagName)) target.setAttribute("tabindex", "-1");
    target.focus();
  }

  // The irreversible submit goes once, even on a double tap.
  function submitOnce(form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]:not([hidden])");
      if (button) window.setTimeout(function () { button.disabled = true; }, 0);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-consent-form]").forEach(consent);
    document.querySelectorAll("form[data-submit-once]").forEach(submitOnce);
    var map = document.getElementById("case-map");
    if (map) locationMap(map);
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
    document.body.addEventListener("htmx:afterSettle", function (event) {
      if (event.detail && event.detail.elt && event.detail.elt.id === "phone-verification") focusVerification();
    });
  });
})();

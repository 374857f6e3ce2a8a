/*
 * Small fixes every page gets. A KRDS table that scrolls sideways (KRDS gives tables a 732px minimum on
 * phones) must be reachable by keyboard (KWCAG 2.2 / axe "scrollable-region-focusable"): such wrappers
 * become focusable regions named by their table's caption.
 */
(function () {
  "use strict";

  function labelTableScrollers(root) {
    root.querySelectorAll(".krds-table-wrap").forEach(function (wrap) {
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      if (scrolls && !wrap.hasAttribute("tabindex")) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        var caption = wrap.querySelector("caption");
        if (caption) wrap.setAttribute("aria-label", caption.textContent.trim());
        wrap.dataset.sotongScroller = "1";
      } else if (!scrolls && wrap.dataset.sotongScroller) {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
        delete wrap.dataset.sotongScroller;
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    labelTableScrollers(document);
  });
  window.addEventListener("resize", function () {
    labelTableScrollers(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    labelTableScrollers(event.target || document);
  });
})();

/*
 * 세션 만료 경고: opens the KRDS modal #session-warning SESSION_WARNING_SECONDS before the session
 * expires, counts down, and offers 연장 (POST to the extend endpoint) and 로그아웃 (POST logout; on the
 * portal 끝내기, the form named by data-end-form). When time runs out the page goes to the login page
 * (or, on the portal, to data-expired-url). Every request resets the server's clock
 * (SESSION_SAVE_EVERY_REQUEST), so page loads and htmx requests restart the countdown; other tabs are
 * kept in step through localStorage.
 */
(function () {
  "use strict";

  var dialog = document.getElementById("session-warning");
  if (!dialog) return;

  var STORAGE_KEY = "sotong.session.deadline";
  var sessionSeconds = parseInt(dialog.dataset.sessionSeconds, 10);
  var warningSeconds = parseInt(dialog.dataset.warningSeconds, 10);
  if (!(sessionSeconds > 0)) return;
  // KOREAN-RULES: warn at least 20 seconds ahead, whatever the setting says.
  if (!(warningSeconds >= 20)) warningSeconds = 20;

  var countdown = dialog.querySelector("[data-session-countdown]");
  var announce = dialog.querySelector("[data-session-announce]");
  var extendButton = dialog.querySelector("[data-session-extend]");
  var logoutButton = dialog.querySelector("[data-session-logout]");
  var clock = document.querySelector("[data-session-clock]");
  var clockTime = document.querySelector("[data-session-remaining]");
  var wrap = document.getElementById("wrap");

  var deadline = 0;
  var open = false;
  var returnFocus = null;
  var lastAnnounced = null;
  var timer = null;

  function now() {
    return Date.now();
  }

  function setDeadline(ms, share) {
    deadline = ms;
    if (share) {
      try {
        window.localStorage.setItem(STORAGE_KEY, String(ms));
      } catch (e) {
        /* private mode: this tab keeps its own clock */
      }
    }
  }

  function restart(seconds) {
    setDeadline(now() + (seconds || sessionSeconds) * 1000, true);
    if (open) close();
    tick();
  }

  function format(seconds) {
    var m = Math.floor(seconds / 60);
    var s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function focusables() {
    return Array.prototype.slice.call(dialog.querySelectorAll("button, a[href], [tabindex='0']"));
  }

  function openDialog() {
    open = true;
    returnFocus = document.activeElement;
    dialog.hidden = false;
    dialog.classList.add("shown");
    dialog.querySelector(".modal-back").classList.add("in");
    document.body.classList.add("scroll-no");
    if (wrap) wrap.setAttribute("inert", "");
    window.setTimeout(function () {
      dialog.classList.add("in");
    }, 50);
    // KRDS fades the modal in from visibility:hidden; a hidden button cannot take focus, so keep trying
    // until the transition lets it (KRDS itself waits 350 ms).
    var tries = 0;
    (function focusExtend() {
      if (!open) return;
      extendButton.focus();
      if (document.activeElement !== extendButton && ++tries < 40) window.setTimeout(focusExtend, 50);
    })();
  }

  function close() {
    open = false;
    dialog.classList.remove("in");
    dialog.querySelector(".modal-back").classList.remove("in");
    dialog.classList.remove("shown");
    dialog.hidden = true;
    document.body.classList.remove("scroll-no");
    if (wrap) wrap.removeAttribute("inert");
    lastAnnounced = null;
    if (returnFocus && document.body.contains(returnFocus)) returnFocus.focus();
  }

  function expire() {
    window.clearInterval(timer);
    // The portal has no login: its citizens go to a page that says what was discarded.
    if (dialog.dataset.expiredUrl) {
      window.location.assign(dialog.dataset.expiredUrl);
      return;
    }
    var next = encodeURIComponent(window.location.pathname + window.location.search);
    window.location.assign(dialog.dataset.loginUrl + "?next=" + next);
  }

  function tick() {
    var left = Math.max(0, Math.ceil((deadline - now()) / 1000));
    if (clock && clockTime) {
      clock.hidden = false;
      clockTime.textContent = format(left);
    }
    if (left <= 0) {
      expire();
      return;
    }
    if (left <= warningSeconds) {
      if (!open) openDialog();
      countdown.textContent = format(left);
      // Announce on opening and then every 10 seconds, not every second.
      if (lastAnnounced === null || (left % 10 === 0 && left !== lastAnnounced)) {
        lastAnnounced = left;
        announce.textContent = dialog.querySelector(".modal-title").textContent + ". " + countdown.parentNode.textContent.trim();
      }
    } else if (open) {
      close();
    }
  }

  function extend() {
    extendButton.disabled = true;
    fetch(dialog.dataset.extendUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "XMLHttpRequest", Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) throw new Error("extend failed: " + response.status);
        return response.json().catch(function () {
          return {};
        });
      })
      .then(function (body) {
        var seconds = parseInt(body.expires_in || body.seconds_left || body.remaining || sessionSeconds, 10);
        restart(seconds > 0 ? seconds : sessionSeconds);
        announce.textContent = dialog.dataset.messageExtended;
      })
      .catch(function () {
        announce.textContent = dialog.dataset.messageFailed;
        expire();
      })
      .finally(function () {
        extendButton.disabled = false;
      });
  }

  function logout() {
    var form = dialog.dataset.endForm
      ? document.getElementById(dialog.dataset.endForm)
      : document.querySelector("[data-logout-form]");
    try {
      window.localStorage.removeItem(STORAGE_KEY);
    } catch (e) {
      /* ignore */
    }
    if (form) form.submit();
    else expire();
  }

  extendButton.addEventListener("click", extend);
  logoutButton.addEventListener("click", logout);

  dialog.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      // Closing is not extending: the countdown goes on and the dialog returns at the next tick.
      event.preventDefault();
      extendButton.focus();
      return;
    }
    if (event.key !== "Tab") return;
    var items = focusables();
    var first = items[0];
    var last = items[items.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  });

  // Another tab extended or loaded a page: follow its clock.
  window.addEventListener("storage", function (event) {
    if (event.key === STORAGE_KEY && event.newValue) {
      var shared = parseInt(event.newValue, 10);
      if (shared > deadline) {
        setDeadline(shared, false);
        tick();
      }
    }
  });

  // Any htmx request reached the server and so renewed the session.
  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail && event.detail.xhr && event.detail.xhr.status && event.detail.xhr.status < 500) restart();
  });

  restart();
  timer = window.setInterval(tick, 1000);
})();

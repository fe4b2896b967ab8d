// Small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";

  // The language selector submits on change; its button stays for no-JS users.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    var form = select.form;
    var fallback = form.querySelector("[data-autosubmit-fallback]");
    if (fallback) fallback.classList.add("visually-hidden");
    select.addEventListener("change", function () { form.submit(); });
  });

  // Filter panels start folded on phones, so results come first; open without JavaScript.
  if (window.matchMedia("(max-width: 800px)").matches) {
    document.querySelectorAll("details[data-collapse-on-phone]").forEach(function (panel) {
      panel.open = false;
    });
  }

  // Collapsible navigation on narrow screens.
  var toggle = document.querySelector("[data-nav-toggle]");
  var panel = document.querySelector("[data-nav-panel]");
  if (toggle && panel) {
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") === "true";
      toggle.setAttribute("aria-expanded", String(!open));
      panel.classList.toggle("is-open", !open);
    });
  }
})();

// Live notification badge and toast: every open tab gets the server's unread count,
// so reading in one tab clears the badge in the others too. After a restart the socket
// reconnects (live.js) and its first ping brings the count of what was missed.
(function () {
  "use strict";
  var bell = document.querySelector("[data-notifications-socket]");
  if (!bell || !("WebSocket" in window)) return;
  var badge = bell.querySelector("[data-unread-count]");
  var toasts = document.querySelector("[data-toasts]");
  var live = window.LiveSocket.open(bell.dataset.notificationsSocket, {
    onOpen: function () { live.send({ type: "ping" }); },
    onFrame: showNotification,
  });

  function showNotification(data) {
    if (typeof data.unread === "number") {
      badge.textContent = String(data.unread);
      badge.hidden = data.unread === 0;
    }
    if (data.event !== "created" || !toasts) return;
    bell.title = data.title;
    var toast = document.createElement("a");
    toast.className = "toast";
    toast.setAttribute("role", "status");
    toast.href = bell.getAttribute("href");
    toast.textContent = data.title;
    toasts.appendChild(toast);
    window.setTimeout(function () { toast.remove(); }, 8000);
  }
})();

// Talent pool: ticking a facet or changing the order applies it at once.
(function () {
  "use strict";
  document.querySelectorAll("[data-talent-search] [data-autosubmit-check]").forEach(function (input) {
    input.addEventListener("change", function () { input.form.submit(); });
  });
})();

// A table wider than a phone scrolls sideways inside the page (site.css): one that does is
// made focusable, so keyboard users can scroll it too (WCAG 2.1.1).
(function () {
  "use strict";
  function reachable() {
    document.querySelectorAll("main table:not(.reflow)").forEach(function (table) {
      if (table.scrollWidth > table.clientWidth) table.setAttribute("tabindex", "0");
      else table.removeAttribute("tabindex");
    });
  }
  reachable();
  window.addEventListener("resize", reachable);
})();

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

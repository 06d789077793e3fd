// Small behaviours that would otherwise be inline event handlers, which the
// Content-Security-Policy (script-src 'self') refuses:
//   data-submit-on-change  a checkbox or select that sends its form when changed
//   data-select-on-focus   a field whose whole text is selected on focus (a link to copy)
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    const field = event.target.closest("[data-submit-on-change]");
    if (field && field.form) field.form.requestSubmit();
  });
  document.addEventListener("focusin", function (event) {
    const field = event.target.closest("[data-select-on-focus]");
    if (field) field.select();
  });
})();

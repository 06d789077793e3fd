// Starts the vendored Swagger UI on /api/v1/docs from the settings the page carries as JSON,
// so the page needs no inline script.
(function () {
  "use strict";
  const settings = JSON.parse(document.getElementById("swagger-settings").textContent);
  const csrfToken = document.body.dataset.csrfToken;
  settings.dom_id = "#swagger-ui";
  settings.presets = [window.SwaggerUIBundle.presets.apis];
  if (csrfToken) {
    // "Try it out" with the browser's session changes data only with the CSRF token.
    settings.requestInterceptor = function (request) {
      request.headers["X-CSRFToken"] = csrfToken;
      return request;
    };
  }
  window.SwaggerUIBundle(settings);
})();

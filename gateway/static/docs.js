/* Starts Swagger UI on /docs (docs.html, after swagger-ui-bundle.js; both deferred, so the page
 * is parsed). The assets come from the gateway, never from a CDN. */
"use strict";

window.ui = window.SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  validatorUrl: null,
  presets: [window.SwaggerUIBundle.presets.apis, window.SwaggerUIBundle.SwaggerUIStandalonePreset],
});

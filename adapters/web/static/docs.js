// Starts Swagger UI on this server's OpenAPI document (kept out of the page: no inline script).
window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui" });

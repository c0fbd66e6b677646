// Point RequireJS at the vendored widget manager's folder (vendor/, next to
// this file at the site root), so that the manager finds its icon fonts there
// instead of next to the page. Loaded after require.js and before
// vendor/embed-amd.js, only on pages that show a widget (nb_ipywidgets_js in
// _config.yml; book/_ext/nnlab_sphinx.py drops it elsewhere).
(function () {
  "use strict";
  var here = document.currentScript && document.currentScript.src;
  if (!here || typeof window.require === "undefined") {
    return;
  }
  window.require.config({ baseUrl: new URL("vendor/", here).href });
})();

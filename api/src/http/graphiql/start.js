// Starts GraphiQL against this server's /graphql. Its files (React, ReactDOM, GraphiQL)
// come from this origin: scripts/build-web.sh copies them into dist/graphiql/.
(function () {
  "use strict";
  var root = document.getElementById("graphiql");
  if (typeof window.GraphiQL === "undefined" || typeof window.ReactDOM === "undefined") {
    root.innerHTML =
      '<p class="cptn-note">GraphiQL\u2019s files are not built on this server. ' +
      "Run <code>scripts/build-web.sh</code>, or send queries to <code>/graphql</code> with any GraphQL client.</p>";
    return;
  }
  // Sessions are bearer tokens (no cookies): put yours in the Headers tab as
  // {"Authorization": "Bearer ..."} to run queries as yourself.
  var fetcher = window.GraphiQL.createFetcher({ url: "/graphql" });
  window.ReactDOM.createRoot(root).render(
    window.React.createElement(window.GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: "headers",
      shouldPersistHeaders: false,
    })
  );
})();

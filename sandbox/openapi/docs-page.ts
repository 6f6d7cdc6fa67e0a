/** The explorer's HTML: swagger-ui-dist's index.html, with local assets and our initializer (no inline script, so a strict CSP holds). */
export const docsPage = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>CaraLoom Discharge API — sandbox explorer</title>
    <link rel="stylesheet" type="text/css" href="swagger-ui.css">
    <link rel="icon" type="image/png" href="favicon-32x32.png" sizes="32x32">
    <link rel="icon" type="image/png" href="favicon-16x16.png" sizes="16x16">
    <style>html { box-sizing: border-box; overflow-y: scroll; } *, *:before, *:after { box-sizing: inherit; } body { margin: 0; background: #fafafa; }</style>
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="swagger-ui-bundle.js" charset="UTF-8"></script>
    <script src="swagger-ui-standalone-preset.js" charset="UTF-8"></script>
    <script src="docs-init.js" charset="UTF-8"></script>
  </body>
</html>
`;

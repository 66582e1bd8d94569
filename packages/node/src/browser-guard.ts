/**
 * What bundlers resolve for `@perch/node` under the `browser` condition: an immediate error,
 * so an API key can never ship inside a web bundle.
 */
throw new Error(
  '@perch/node was bundled for a browser. It holds a Perch API key and must only run on your server; ' +
    'mint embed tokens in a backend route and pass only the token to the page.',
);

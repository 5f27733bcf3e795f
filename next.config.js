/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and protocol modules must stay plain Node requires, not bundled.
  serverExternalPackages: [
    "libsql",
    "@libsql/client",
    "pg",
    "imapflow",
    "nodemailer",
    "mailparser",
    "oidc-provider",
    "@prisma/adapter-libsql",
    "@prisma/adapter-pg",
  ],
  poweredByHeader: false,
  typedRoutes: false,
  // `npm test` type-checks the whole project (app, lib, tests) as its own step; the build only compiles.
  typescript: { ignoreBuildErrors: true },
  // The first start builds on the machine that runs the console, so the build does only what production uses:
  // no source maps (neither the browser nor the server's logs read them) and no minified server code (it is
  // loaded once per process from local disk). Together a third less build CPU; browser code stays minified.
  experimental: { turbopackSourceMaps: false, turbopackMinify: { server: false } },
  // An admin console is never framed; no Cross-Origin-Opener-Policy, which would cut the consent popup off
  // from the page that opened it.
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
        ],
      },
      // Every page but a mail body's frame, which only the console itself may frame (its own CSP says so too).
      { source: "/((?!api/requests/mail/[^/]+/html).*)", headers: [{ key: "X-Frame-Options", value: "DENY" }] },
      { source: "/api/requests/mail/:id/html", headers: [{ key: "X-Frame-Options", value: "SAMEORIGIN" }] },
    ];
  },
};
module.exports = nextConfig;

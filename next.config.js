/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and protocol modules must stay plain Node requires, not bundled.
  serverExternalPackages: ["better-sqlite3", "pg", "imapflow", "nodemailer", "mailparser", "oidc-provider", "@prisma/adapter-better-sqlite3", "@prisma/adapter-pg"],
  poweredByHeader: false,
  typedRoutes: false,
};
module.exports = nextConfig;

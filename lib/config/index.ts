export { config, parseConfig, resetConfigForTests, ConfigError } from "./config";
export type { Config, DatabaseConfig } from "./config";

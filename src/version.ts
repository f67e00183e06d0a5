// The exporter's version, reported in vmzombie_build_info and --version.
export const VERSION = '0.1.0';

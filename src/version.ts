/** The engine's version, as in package.json (a test keeps them equal): tuning caches record it. */
export const ENGINE_VERSION = '0.1.0';

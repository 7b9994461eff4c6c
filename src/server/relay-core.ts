/** The relay core `gdwire serve` loads (core-loader.ts): Godot 4 (default) or 3.2 by config. */
export { createRelayCore } from './relay/relay-core.js';

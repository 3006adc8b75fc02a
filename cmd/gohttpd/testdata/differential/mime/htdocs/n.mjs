content of n.mjs

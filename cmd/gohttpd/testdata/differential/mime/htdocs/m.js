content of m.js

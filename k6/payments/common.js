// What the 2025 scenarios share.

const HEX = '0123456789abcdef';

// A version 4 UUID: random, with the version and variant digits in place.
export function uuidv4() {
  let id = '';
  for (let i = 0; i < 36; i++) {
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      id += '-';
    } else if (i === 14) {
      id += '4';
    } else if (i === 19) {
      id += HEX[8 + Math.floor(Math.random() * 4)];
    } else {
      id += HEX[Math.floor(Math.random() * 16)];
    }
  }
  return id;
}

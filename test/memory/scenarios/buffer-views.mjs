// LEAK: a 16-byte header view is kept from each 256 KiB read buffer; the view keeps the whole backing store alive.
// The JS heap barely moves: the memory is external (ArrayBuffer backing stores).
const headers = [];

function readPacket() {
  const packet = Buffer.alloc(256 * 1024, 7);
  return packet.subarray(0, 16); // leak-site
}

export default async function iteration() {
  headers.push(readPacket());
}

// The reference for `rawnet bench --mode ws`: a WebSocket echo server on
// npm's `ws` (scripts/bench.sh installs it into scripts/bench/node_modules)
// doing rawnet's work, every message answered with `You said "<message>"`
// as one frame of the same type. Its limits are set to rawnet's: no
// compression, messages of at most 1 MiB. Logging is left out, as rawnet is
// benchmarked with --quiet.
const { WebSocketServer } = require('ws');
const port = Number(process.argv[2] || 8081);
const open = Buffer.from('You said "');
const close = Buffer.from('"');
const wss = new WebSocketServer({
  host: '127.0.0.1',
  port,
  perMessageDeflate: false,
  maxPayload: 1024 * 1024,
});
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => {
    // Text stays bytes: `ws` checked it is UTF-8 on arrival, as rawnet
    // does, and a reply is not decoded and encoded again.
    ws.send(Buffer.concat([open, data, close]), { binary: isBinary });
  });
  ws.on('error', () => {});
});
wss.on('listening', () => console.log('listening on 127.0.0.1:' + wss.address().port));

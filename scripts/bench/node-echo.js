// The tutorial's server, as written: `You said "<data>"\r\n` for every
// chunk. Logging is left out: console.log on every chunk would measure the
// terminal, and rawnet is benchmarked with --quiet.
const net = require('net');
const port = Number(process.argv[2] || 8081);
const server = net.createServer((socket) => {
  socket.on('data', (data) => {
    socket.write('You said "' + data + '"\r\n');
  });
  socket.on('error', () => {});
});
server.listen(port, '127.0.0.1', () => console.log('listening on 127.0.0.1:' + server.address().port));

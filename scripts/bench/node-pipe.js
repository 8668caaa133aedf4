// Raw echo in Node: socket.pipe(socket), the tutorial's timeout handler.
const net = require('net');
const port = Number(process.argv[2] || 8081);
const server = net.createServer((socket) => {
  socket.pipe(socket);
  socket.on('error', () => {});
});
server.listen(port, '127.0.0.1', () => console.log('listening on 127.0.0.1:' + server.address().port));

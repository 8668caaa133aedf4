// Node's http module answering every request with a fixed body.
const http = require('http');
const port = Number(process.argv[2] || 8081);
const server = http.createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  res.end('hello,world');
});
server.keepAliveTimeout = 60000;
server.listen(port, '127.0.0.1', () => console.log('listening on 127.0.0.1:' + server.address().port));

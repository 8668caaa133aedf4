// The Node.js `net` tutorial's server kept whole: every handler and its
// console.log, the 3 s timeout, and the timeout handler's pipe. tests/tutorial.rs
// drives it and rawnet through the same exchange and compares the bytes.
// Changed from the tutorial only where a test needs it: the port comes from
// argv[2] (default 8081; 0 for any free port), it listens on 127.0.0.1, and
// it prints `listening on 127.0.0.1:PORT` first, so a test can read the port.
// The tutorial's Chinese log strings are kept; in English:
//   '客户端关闭'         the client closed
//   '超时了'             timed out
//   '服务端的地址是：'   the server's address is:
let net = require('net')
let PORT = Number(process.argv[2] || 8081)
let HOST = '127.0.0.1'
let server = net.createServer((socket) => {
    console.log('connection:' + socket.remoteAddress, socket.remotePort)
    socket.on('data', (data) => {
        console.log('DATA' + socket.remoteAddress + ":" + data);
        socket.write('You said "'+ data +'"\r\n')
    })
    socket.on('end', () => {
        console.log('客户端关闭')
    })
    socket.on('close', () => {
        console.log('CLOSED: ' + socket.remoteAddress + ' ' + socket.remotePort);
    })
    // Not in the tutorial: without a listener, a client's reset (ECONNRESET)
    // is an unhandled 'error' event and takes the whole server down.
    socket.on('error', () => {})
    socket.setTimeout(3000)
    socket.on('timeout', () => {
        console.log('超时了')
        // Every timeout adds one more pipe: after two, each chunk comes back
        // twice after its `You said` line.
        socket.pipe(socket, {end: false})
    })
})
server.listen(PORT, HOST, () => {
    console.log('listening on ' + HOST + ':' + server.address().port)
    console.log('服务端的地址是：', server.address())
})
server.on('error', (err) => {
    console.log(err)
})

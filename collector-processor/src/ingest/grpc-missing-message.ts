import * as grpc from '@grpc/grpc-js';

/**
 * A unary call that ends without one complete message (no body, or a length prefix promising
 * more bytes than came) never reaches the handler: grpc-js answers it UNIMPLEMENTED ("Received no
 * request message"), which tells a client the method does not exist. This server interceptor
 * answers INVALID_ARGUMENT with the reason instead, and reports the call so it is counted.
 */
export function missingMessageAnswer(onMissing: () => void): grpc.ServerInterceptor {
  return (_method, call) => {
    let received = false;
    return new grpc.ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMessage: (message, nextMessage) => {
            received = true;
            nextMessage(message);
          },
        }),
      sendStatus: (status, nextStatus) => {
        if (
          received ||
          status.code !== grpc.status.UNIMPLEMENTED ||
          !/no request message/.test(status.details)
        )
          return nextStatus(status);
        onMissing();
        nextStatus({
          ...status,
          code: grpc.status.INVALID_ARGUMENT,
          details: 'empty or truncated request: no complete ExportLogsServiceRequest message received',
        });
      },
    });
  };
}

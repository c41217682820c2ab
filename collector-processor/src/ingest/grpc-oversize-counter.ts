import * as grpc from '@grpc/grpc-js';

/**
 * grpc-js itself refuses a message over grpc.max_receive_message_length (RESOURCE_EXHAUSTED)
 * before any handler runs, so the refusal would go uncounted. This server interceptor sees such a
 * call end (cancelled) with no message received and reports it. A client that gives up in the
 * middle of sending its one message is counted the same way: either way nothing was accepted.
 */
export function oversizeCounter(onOversize: () => void): grpc.ServerInterceptor {
  return (_method, call) => {
    let received = false;
    let answered = false;
    return new grpc.ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMessage: (message, nextMessage) => {
            received = true;
            nextMessage(message);
          },
          onCancel: () => {
            if (!received && !answered) onOversize();
          },
        }),
      sendStatus: (status, nextStatus) => {
        answered = true;
        nextStatus(status);
      },
    });
  };
}

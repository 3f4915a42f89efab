package proxy.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import proxy.chat.ReplyEvent;
import proxy.chat.ReplySink;

/** A sink that keeps every event, and can act as a client that hangs up or has had enough. */
class RecordingSink implements ReplySink {

    /** What to do on an event: nothing, or throw to play a client that hung up. */
    interface OnEvent {
        void on(ReplyEvent event) throws IOException;
    }

    final List<ReplyEvent> events = new ArrayList<>();
    final AtomicInteger quietCalls = new AtomicInteger();
    final CountDownLatch started = new CountDownLatch(1);
    private final OnEvent onEvent;
    private final int acceptUpTo;

    RecordingSink() {
        this(e -> { }, Integer.MAX_VALUE);
    }

    RecordingSink(OnEvent onEvent, int acceptUpTo) {
        this.onEvent = onEvent;
        this.acceptUpTo = acceptUpTo;
    }

    @Override
    public boolean accept(ReplyEvent event) throws IOException {
        events.add(event);
        if (event instanceof ReplyEvent.Started) {
            started.countDown();
        }
        onEvent.on(event);
        return events.size() < acceptUpTo;
    }

    @Override
    public boolean quiet() {
        quietCalls.incrementAndGet();
        return true;
    }

    ReplyEvent last() {
        return events.get(events.size() - 1);
    }

    String text() {
        StringBuilder sb = new StringBuilder();
        for (ReplyEvent e : events) {
            if (e instanceof ReplyEvent.TextDelta d) {
                sb.append(d.text());
            }
        }
        return sb.toString();
    }
}

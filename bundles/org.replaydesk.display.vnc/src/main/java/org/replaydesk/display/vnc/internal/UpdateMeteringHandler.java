package org.replaydesk.display.vnc.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import java.util.function.IntSupplier;
import java.util.function.LongConsumer;

/**
 * Counts FramebufferUpdates as they go out. It sits between the viewer's {@code FramebufferUpdateEncoder} and the
 * shared message encoder, so the only byte buffers it sees are encoded updates (one buffer per update; every other
 * message passes as an object). An update counts once its write succeeded: bytes that never reached the socket are
 * not traffic.
 */
final class UpdateMeteringHandler extends ChannelOutboundHandlerAdapter {

    private final TrafficMeter meter;
    private final TrafficMeter displayMeter;
    private final IntSupplier encoding;
    private final LongConsumer encodedLength;

    /**
     * @param meter the viewer's meter
     * @param displayMeter the display's meter (all its viewers, also those that left)
     * @param encoding the pixel encoding of the update being written (read on the event loop at write time)
     * @param encodedLength told the length of each update as it is written (the viewer learns its compression)
     */
    UpdateMeteringHandler(TrafficMeter meter, TrafficMeter displayMeter, IntSupplier encoding,
            LongConsumer encodedLength) {
        this.encodedLength = encodedLength;
        this.meter = meter;
        this.displayMeter = displayMeter;
        this.encoding = encoding;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf buf && buf.isReadable()) {
            int length = buf.readableBytes();
            int updateEncoding = encoding.getAsInt();
            encodedLength.accept(length);
            if (promise.isVoid()) {
                meter.frame(updateEncoding, length);
                displayMeter.frame(updateEncoding, length);
            } else {
                promise.addListener(f -> {
                    if (f.isSuccess()) {
                        meter.frame(updateEncoding, length);
                        displayMeter.frame(updateEncoding, length);
                    }
                });
            }
        }
        ctx.write(msg, promise);
    }
}

package org.replaydesk.rfb.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import org.replaydesk.rfb.RfbProtocolException;
import org.replaydesk.rfb.internal.NeedMoreInput;

/**
 * Base of every RFB decoder: decodes one unit at a time, rewinds and waits when the unit is incomplete, and after a
 * protocol error discards all further input so the channel neither hangs in a loop nor reports the same error again.
 *
 * <p>A handshake decoder ({@code singleMessage}) decodes exactly one message and then passes any later bytes through
 * unchanged, so nothing is lost if the next phase's bytes arrive before the application swaps decoders.
 *
 * <p>Only this package extends it (the constructor is package-private): the protocol phases are fixed.
 */
public abstract class AbstractRfbDecoder extends ByteToMessageDecoder {

    private final boolean singleMessage;
    private boolean done;
    private boolean failed;

    /**
     * @param singleMessage whether the decoder handles one handshake message and then passes bytes through
     */
    AbstractRfbDecoder(boolean singleMessage) {
        this.singleMessage = singleMessage;
    }

    @Override
    protected final void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (done) {
            out.add(in.readRetainedSlice(in.readableBytes()));
            return;
        }
        int start = in.readerIndex();
        int produced = out.size();
        try {
            decodeUnit(in, out);
        } catch (NeedMoreInput e) {
            in.readerIndex(start);
            return;
        } catch (RfbProtocolException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
        if (singleMessage && out.size() > produced) {
            done = true;
        }
    }

    /**
     * Decodes one unit (a message, or for {@link ServerMessageDecoder} one rectangle). Throws
     * {@link NeedMoreInput} (via {@code Wire.need}) when the unit is incomplete; everything read so far is then
     * rewound, so the unit must not change decoder state before it is complete.
     *
     * @param in cumulated input
     * @param out decoded messages
     */
    protected abstract void decodeUnit(ByteBuf in, List<Object> out);

    /**
     * Bytes received after the decoded message that this decoder still holds (it hands them on only when more input
     * arrives or when it is removed). An application that switches the transport after a message, as VeNCrypt does
     * to TLS, checks that this is 0: such bytes were sent in clear before the switch and must not be read as if they
     * had come through it.
     *
     * @return the number of buffered bytes not yet passed on
     */
    public int pendingBytes() {
        return actualReadableBytes();
    }

    /** @return whether a protocol error has been reported; all later input is discarded */
    public boolean isFailed() {
        return failed;
    }
}

package org.replaydesk.rfb.encoding;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.replaydesk.rfb.ColourMap;
import org.replaydesk.rfb.Encodings;
import org.replaydesk.rfb.FramebufferUpdate;
import org.replaydesk.rfb.PixelFormat;
import org.replaydesk.rfb.PixelRectangle;
import org.replaydesk.rfb.Rect;
import org.replaydesk.rfb.codec.FramebufferUpdateEncoder;

/**
 * Pins the encoders' exact output on larger images than the golden vectors can spell out: SHA-256 of two
 * consecutive updates (so persistent zlib streams are covered) per image, pixel format and encoding. ZRLE and Tight
 * run at zlib level 0, whose stored blocks carry the uncompressed data, so the digests do not depend on the zlib
 * build. The digests were produced by the encoders before their speed-up (commit 94080e3) and regenerated once
 * when the zlib streams stopped sending an empty rectangle after a level change (which this test's level 0 hit):
 * a faster encoder must still write the same bytes. If a change of the bytes is deliberate, check the round trips
 * ({@link #thePinnedBytesDecodeBackToThePicture}) first, then print new digests with {@link #main}.
 */
class EncoderOutputDigestTest {

    private static final int WIDTH = 150;
    private static final int HEIGHT = 100;

    static final Map<String, PixelFormat> FORMATS = new TreeMap<>(Map.of(
            "rgb888le", PixelFormat.RGB888_LE,
            "rgb888be", PixelFormat.RGB888_BE,
            "bgr888le", PixelFormat.BGR888_LE,
            "high3be", PixelFormat.trueColour(32, 24, true, 255, 255, 255, 24, 16, 8),
            "depth32", PixelFormat.trueColour(32, 32, false, 255, 255, 255, 16, 8, 0),
            "rgb565le", PixelFormat.RGB565_LE,
            "rgb565be", PixelFormat.RGB565_BE,
            "bgr233", PixelFormat.BGR233,
            "map8", PixelFormat.COLOUR_MAP_8));

    static final Map<String, Integer> ENCODINGS = new TreeMap<>(Map.of("raw", Encodings.RAW, "hextile",
            Encodings.HEXTILE, "zrle", Encodings.ZRLE, "tight", Encodings.TIGHT));

    static final List<String> IMAGES = List.of("desktop", "photo", "palette", "mixed");

    /** Digests, key "image format encoding". */
    static final Map<String, String> EXPECTED = Map.ofEntries(
            Map.entry("desktop bgr233 hextile", "74412899c46597258798bf4a1496f8da02fa28c019964914d2f250661b026fe5"),
            Map.entry("desktop bgr233 raw", "83e29f0424eb3fd5bfa7e20e3e8e22ec8c4fd295661acfc8c7b55372ec2e7ed8"),
            Map.entry("desktop bgr233 tight", "9b994c9141a12b1332dbde2227d3de7d962a7f880855c942ea95be1a16cdf096"),
            Map.entry("desktop bgr233 zrle", "b4fa9f2980b5195fac9d6498f40d3f966e78bc3275698a0d27c9d6e18f9e77bd"),
            Map.entry("desktop bgr888le hextile", "f58acf8cf1a6f7ab969b968672189031b69c7562879eb9555bd513246030b28f"),
            Map.entry("desktop bgr888le raw", "bed3451d4bbd42e566955b32f1516617c4f6acb9d678acb2615da382fd9a2f9d"),
            Map.entry("desktop bgr888le tight", "e7d780669fa17dfffa0bb2f4c0a4088a99dfb337994c18474eeffdf171d20f69"),
            Map.entry("desktop bgr888le zrle", "fc053ca61e0792586324ed980c64a305cf84c10fb8e5b5ce32b1d53500408697"),
            Map.entry("desktop depth32 hextile", "1aed5baeac5613389893ae184217728c91cde973698cefeb058c044ade939106"),
            Map.entry("desktop depth32 raw", "a5627c9cb0ddf97005dbbfe84bf42494e8cccfedf62da2cd2817dcbbe99b2bee"),
            Map.entry("desktop depth32 tight", "f31604324b3f5834fa55448994d694af9943f50904d0942c3206e797aa5b3e65"),
            Map.entry("desktop depth32 zrle", "4acecb2cc651d91c1adc522d55715d53d181ea2e34444d85627e06bfb3c81087"),
            Map.entry("desktop high3be hextile", "f58acf8cf1a6f7ab969b968672189031b69c7562879eb9555bd513246030b28f"),
            Map.entry("desktop high3be raw", "bed3451d4bbd42e566955b32f1516617c4f6acb9d678acb2615da382fd9a2f9d"),
            Map.entry("desktop high3be tight", "e7d780669fa17dfffa0bb2f4c0a4088a99dfb337994c18474eeffdf171d20f69"),
            Map.entry("desktop high3be zrle", "fc053ca61e0792586324ed980c64a305cf84c10fb8e5b5ce32b1d53500408697"),
            Map.entry("desktop map8 hextile", "74412899c46597258798bf4a1496f8da02fa28c019964914d2f250661b026fe5"),
            Map.entry("desktop map8 raw", "83e29f0424eb3fd5bfa7e20e3e8e22ec8c4fd295661acfc8c7b55372ec2e7ed8"),
            Map.entry("desktop map8 tight", "9b994c9141a12b1332dbde2227d3de7d962a7f880855c942ea95be1a16cdf096"),
            Map.entry("desktop map8 zrle", "b4fa9f2980b5195fac9d6498f40d3f966e78bc3275698a0d27c9d6e18f9e77bd"),
            Map.entry("desktop rgb565be hextile", "90ab21236d51172a9ea538bbbcee2bc6433202fbbe1d9ceba20711463e234ac5"),
            Map.entry("desktop rgb565be raw", "84f746828ae3f87b9fd870bdb8a4ce187034cc4e8683220de571b0fc6efad81f"),
            Map.entry("desktop rgb565be tight", "cb381d26b86ecd22926d79d1eafb0816cbd0d0d20385574f16cab9298b5daba8"),
            Map.entry("desktop rgb565be zrle", "2c2817859d9e945074c7942bda0b39e7db41be738defeb4fb887ed5355ca09d0"),
            Map.entry("desktop rgb565le hextile", "639cf5e3d3b5ba4272e313a8874fd01a2c1d482fe2f7d5e55e3bb7ac3deb321a"),
            Map.entry("desktop rgb565le raw", "8cb8f2ae7ab55201ed1538ee5a69c405618c77b20320f9aa759a9f5d20c1007c"),
            Map.entry("desktop rgb565le tight", "78e1bde7322561243dffc7e3bd60f0b4f5a1613193e6c00fe73e89a27325958f"),
            Map.entry("desktop rgb565le zrle", "b6c9d98395d662e722b0f815e0ac98608eb2e085ad24c53f3536b673f8d46db4"),
            Map.entry("desktop rgb888be hextile", "dcd1deedfaa0919075e6e4376d53c43361b738e444b96fbb854af3f32d3e48da"),
            Map.entry("desktop rgb888be raw", "80ef11f5e139be9d3a48f44b0fd1dcc90b6bdb3b48389832c9eb033d6c7fb8cf"),
            Map.entry("desktop rgb888be tight", "e7d780669fa17dfffa0bb2f4c0a4088a99dfb337994c18474eeffdf171d20f69"),
            Map.entry("desktop rgb888be zrle", "fc053ca61e0792586324ed980c64a305cf84c10fb8e5b5ce32b1d53500408697"),
            Map.entry("desktop rgb888le hextile", "1aed5baeac5613389893ae184217728c91cde973698cefeb058c044ade939106"),
            Map.entry("desktop rgb888le raw", "a5627c9cb0ddf97005dbbfe84bf42494e8cccfedf62da2cd2817dcbbe99b2bee"),
            Map.entry("desktop rgb888le tight", "e7d780669fa17dfffa0bb2f4c0a4088a99dfb337994c18474eeffdf171d20f69"),
            Map.entry("desktop rgb888le zrle", "194bd99b1829f56e0338b4473d95d18bebd1d7ae8e4c8b8650450a61b9a207b1"),
            Map.entry("photo bgr233 hextile", "be9f2bee8328692e9a06d131742088b865aeaec587c4fa86b3fb7a8f5d4ab1de"),
            Map.entry("photo bgr233 raw", "b9362e613cdff531626794fe6deeec60ae7a8ad5ef706bcac0295cd0bbb8a61d"),
            Map.entry("photo bgr233 tight", "fcd2269a52cf6a4046f244a9fa80954b8118299d81faf5eee16156808aa3b877"),
            Map.entry("photo bgr233 zrle", "b68e956d765d1eaa1c8c71312e2e9056cfb89cc395e1a8288e77c7c82df12307"),
            Map.entry("photo bgr888le hextile", "f777042b340f056eda8fcb8eab23c24c9dc59d8d5c6d9a9a083b5fc3ea2633c2"),
            Map.entry("photo bgr888le raw", "2d561b2e6dc697c50f3de4cee591ae303dda2005b36e7dda498d40a767cf5249"),
            Map.entry("photo bgr888le tight", "3c470674f05554c065712dfab9c94ad3e92e9b14056e1f7e06077794367b0506"),
            Map.entry("photo bgr888le zrle", "e7f92460562367a519d49f11ab024d47b06e366448fd13aa3db095469355bda1"),
            Map.entry("photo depth32 hextile", "ad9314539b789f5e489685eb13c1343f9e1444c78f6f1f90b2a077249b38ee62"),
            Map.entry("photo depth32 raw", "2e56d5484441f75356060fedcdf2c4962962911cfb94cf5c83403c64b414b034"),
            Map.entry("photo depth32 tight", "34be8c6a19ad35d4cec6a3cfe5b94e02d98a5bd4902534dc076ec48c3b99e6e2"),
            Map.entry("photo depth32 zrle", "5249e7a55818377050f127d5f12af9d28b603aae0c0e5d94cdff3efa3c08b06e"),
            Map.entry("photo high3be hextile", "f777042b340f056eda8fcb8eab23c24c9dc59d8d5c6d9a9a083b5fc3ea2633c2"),
            Map.entry("photo high3be raw", "2d561b2e6dc697c50f3de4cee591ae303dda2005b36e7dda498d40a767cf5249"),
            Map.entry("photo high3be tight", "3c470674f05554c065712dfab9c94ad3e92e9b14056e1f7e06077794367b0506"),
            Map.entry("photo high3be zrle", "e7f92460562367a519d49f11ab024d47b06e366448fd13aa3db095469355bda1"),
            Map.entry("photo map8 hextile", "85b5e03782e93cebdcf372943f078253d7fbd4a307785e1b213add1dee7e1a17"),
            Map.entry("photo map8 raw", "e7fd26c1b9a6c248426049dee8320c34c50850d65b39eef6d38e120f60f3a041"),
            Map.entry("photo map8 tight", "f4653e09ebc6f4180eedffc81ab97e72d982fc6d037d6756c6ee02b2e45f5705"),
            Map.entry("photo map8 zrle", "8b6e94130b8957b134e626390f25134d73348d78be9d81ebabd4165f266db8cf"),
            Map.entry("photo rgb565be hextile", "fe4ab89980e5478f277851acfcf20bb766e3cc0728d4004d21260609fbc76b07"),
            Map.entry("photo rgb565be raw", "ebaba6cfbefb9504f7e4979110d093f0e9121f3b4577fdff39f9d5373710f9c2"),
            Map.entry("photo rgb565be tight", "01d68f42bddc0dd89ab201b17e3aa17861377d1b68fc150a1ddc151be35d3d5f"),
            Map.entry("photo rgb565be zrle", "c0dee739828f8b2cc6a029bdee94032e1043233d894ede685f59e61c447cb70f"),
            Map.entry("photo rgb565le hextile", "3ca9fb4adeecb55a153eb2049f1d4715e98d6d3bc3347aeee0263a4ae72caf7a"),
            Map.entry("photo rgb565le raw", "60b140dc879a09855e6533f76da80f09ba62f99169dcdd83fb460f864b6a1e9c"),
            Map.entry("photo rgb565le tight", "36f15d5ceee2ef47fc72933859de30623959c96639ec1a73377e8f0cb1be6271"),
            Map.entry("photo rgb565le zrle", "55c6ac64be14a7de578f8927872a1f313562427b5ab3d9cef1e157863e9b9c9f"),
            Map.entry("photo rgb888be hextile", "e7a593775d789b9b957fd84f1b153301e72a780e38b84788910481954055b0e8"),
            Map.entry("photo rgb888be raw", "8e8759af61a0e57d91ab77a0666a0965c9001d8894fb898dee552084b3c64b36"),
            Map.entry("photo rgb888be tight", "3c470674f05554c065712dfab9c94ad3e92e9b14056e1f7e06077794367b0506"),
            Map.entry("photo rgb888be zrle", "e7f92460562367a519d49f11ab024d47b06e366448fd13aa3db095469355bda1"),
            Map.entry("photo rgb888le hextile", "ad9314539b789f5e489685eb13c1343f9e1444c78f6f1f90b2a077249b38ee62"),
            Map.entry("photo rgb888le raw", "2e56d5484441f75356060fedcdf2c4962962911cfb94cf5c83403c64b414b034"),
            Map.entry("photo rgb888le tight", "3c470674f05554c065712dfab9c94ad3e92e9b14056e1f7e06077794367b0506"),
            Map.entry("photo rgb888le zrle", "670a2d169a286f549f2598503c9b9e3c6d4f660b4792dec400a2096c1e1d66ab"),
            Map.entry("palette bgr233 hextile", "515336fc6e85052d155e45eecfa0cc147f1a713a8e776fa5adf92cc3fd70a3ca"),
            Map.entry("palette bgr233 raw", "8dece0ac8ee78a7d86c19e8ff684bb340d161593f407b9b82af70249bc3389d2"),
            Map.entry("palette bgr233 tight", "2ce9d1ec9f11f00040fe32cf05a4610c41fe8ac8dba03f822ffcf05a229588d9"),
            Map.entry("palette bgr233 zrle", "bef9b6253b736bdefc75f378b5cf92142f5f648e1587478ca1b56290b3bcea84"),
            Map.entry("palette bgr888le hextile", "f890631f78e027cc48e9b2742e16df25607a16217bd0b4bb6d5244817fa2909c"),
            Map.entry("palette bgr888le raw", "10a04cf631e1c57f5400487175abb55fce434de0706cf912ffb4fe3eb0487c8e"),
            Map.entry("palette bgr888le tight", "0fa57805a47269cb7717641d14cdbaee86000f7b025343d9def84092bb0d1e6b"),
            Map.entry("palette bgr888le zrle", "9197980498ece2a018df80cd964cc8b1dd768028c7da068ee5173ee31d8b9e00"),
            Map.entry("palette depth32 hextile", "0769e71abfbd18f7b4fa54d53dac2178814920889f49731a2aa857f804df0b8a"),
            Map.entry("palette depth32 raw", "22d64f81801c58da562ae7c14e9f1997cdeb438f3034ef711cb443a1b62bdb39"),
            Map.entry("palette depth32 tight", "a5acafb411bb02770d366e92a3e82b96ae5ed03c182a9f2136022a6950576492"),
            Map.entry("palette depth32 zrle", "cacadc1178efa5cf255b03eeea6655567917776f6d10e305180205aebe35f169"),
            Map.entry("palette high3be hextile", "5e292f5ecf4fe20dbc4b686c97c44aa2db6f067c96981d2de22c05aa5341d80a"),
            Map.entry("palette high3be raw", "10a04cf631e1c57f5400487175abb55fce434de0706cf912ffb4fe3eb0487c8e"),
            Map.entry("palette high3be tight", "0fa57805a47269cb7717641d14cdbaee86000f7b025343d9def84092bb0d1e6b"),
            Map.entry("palette high3be zrle", "9197980498ece2a018df80cd964cc8b1dd768028c7da068ee5173ee31d8b9e00"),
            Map.entry("palette map8 hextile", "91fcd630a9ff8c6bec855e91c0b8020db0f77dfa1da9b92b8eb4a9f8f4726285"),
            Map.entry("palette map8 raw", "dc53d71aec5e805d8842d20dab3f75013e09595fc6e631f543b4ff40d01929a6"),
            Map.entry("palette map8 tight", "47a11b056ab43cd429cb6c2fef5b5382cda7b931014cdbd5b098e80632d6dcc8"),
            Map.entry("palette map8 zrle", "6f3544d37afc9de29f35f8bb885b187235cb5cce27a073e08389dd742c2dbec4"),
            Map.entry("palette rgb565be hextile", "10c63933cdd658643d2113c1710172ad421db83f1009deb4b36a9497f85e820a"),
            Map.entry("palette rgb565be raw", "23d17abb9af019acc032fe7ebfa106fcc062e4c21cef685b3c2ef7d337763383"),
            Map.entry("palette rgb565be tight", "f9f1fc88d9d0451bb9b1df0775a0ef8c18d8506a0696a2f402e3cdfc5cda4a6f"),
            Map.entry("palette rgb565be zrle", "d30c80bb5e1b7ad40e1ec279ec86d3c7abaaef86db6cedec3ed17f4dc43faf5f"),
            Map.entry("palette rgb565le hextile", "84a5301d69f691bb458ce8bc86a89b9877b952f84060e9978b74d19d88b9d3d8"),
            Map.entry("palette rgb565le raw", "3871cdbef19c58f981546533debe07cb5be80ac200d8ed8a9b476ea04e80f9db"),
            Map.entry("palette rgb565le tight", "93d4dac854e68c9c055dc1d887bda97b88a3974d2547e592ac38acbdca0f6a86"),
            Map.entry("palette rgb565le zrle", "cba1909c2be215b9e4c0e9521c8171ee2be7ed5f39704a4a50359fc9817ca49d"),
            Map.entry("palette rgb888be hextile", "1a276f4c66a2791125f204114f863be2fc543e7e510103ccda81d5d31cb33718"),
            Map.entry("palette rgb888be raw", "1b26b5fbf128e942d069196ac23ad62cad359827b63d2dae9094ffde13ebf15f"),
            Map.entry("palette rgb888be tight", "0fa57805a47269cb7717641d14cdbaee86000f7b025343d9def84092bb0d1e6b"),
            Map.entry("palette rgb888be zrle", "9197980498ece2a018df80cd964cc8b1dd768028c7da068ee5173ee31d8b9e00"),
            Map.entry("palette rgb888le hextile", "0769e71abfbd18f7b4fa54d53dac2178814920889f49731a2aa857f804df0b8a"),
            Map.entry("palette rgb888le raw", "22d64f81801c58da562ae7c14e9f1997cdeb438f3034ef711cb443a1b62bdb39"),
            Map.entry("palette rgb888le tight", "0fa57805a47269cb7717641d14cdbaee86000f7b025343d9def84092bb0d1e6b"),
            Map.entry("palette rgb888le zrle", "2544256c057e796ae19820b08768ae610a8544d792fffc4f9a1180d7b44e825f"),
            Map.entry("mixed bgr233 hextile", "b41430328e2a90df0278456685bb0117471064e81f8aafed02e730390af7d681"),
            Map.entry("mixed bgr233 raw", "f869f7adfeb4cdd642b2fd2547d70e218907b75c106798d4b72bd12e46349269"),
            Map.entry("mixed bgr233 tight", "51847d4012ce532ee5c98e61512508e3c6291eb19904d2fbb4c94fa0c640ba6d"),
            Map.entry("mixed bgr233 zrle", "1545383712ad04af847e38736c46c6144f0f1069d301b133b27286ef77d4b487"),
            Map.entry("mixed bgr888le hextile", "425e16d111d1efba70b7d8cdc9578c1fb9af82c7eb7d3f83ef5a48401b1d37ef"),
            Map.entry("mixed bgr888le raw", "e87dac7413bfa73fa68dfb97086ddd74215cfa206aec849cde9e0ba2051af3ba"),
            Map.entry("mixed bgr888le tight", "1dd5860697cf1854a943b691592f8bcbe759a22b0e71cdea054c799dc6338e15"),
            Map.entry("mixed bgr888le zrle", "03f253e538c7a0bc487083e9da0d7a6b074bccb793704f597bede4226de93f6b"),
            Map.entry("mixed depth32 hextile", "adc6f6f22272be58df2b46a14656b77a848bf7b58b7c32a5fc3f0a6b085ec390"),
            Map.entry("mixed depth32 raw", "d9af274a1e6b411803bd32a012b7eb3816c4feef3a4b7b2b31b03f4cf4c22176"),
            Map.entry("mixed depth32 tight", "3c8de1c4e70f5834dfe348fa3cd1caa57024458b835024327728590dabea9b88"),
            Map.entry("mixed depth32 zrle", "5feb99b48ac402010bded9073934f97ef535817fe45303c4f976d04b6f88f97a"),
            Map.entry("mixed high3be hextile", "8d70aa262f3faafe8090b67738ba6d52ca0ccbbccab18a3e8fe5474811ca681a"),
            Map.entry("mixed high3be raw", "e87dac7413bfa73fa68dfb97086ddd74215cfa206aec849cde9e0ba2051af3ba"),
            Map.entry("mixed high3be tight", "1dd5860697cf1854a943b691592f8bcbe759a22b0e71cdea054c799dc6338e15"),
            Map.entry("mixed high3be zrle", "03f253e538c7a0bc487083e9da0d7a6b074bccb793704f597bede4226de93f6b"),
            Map.entry("mixed map8 hextile", "a8565041227abd9585b14c1c22dce38c2ed20d0f69674d84665b1f6ae77b3219"),
            Map.entry("mixed map8 raw", "cac82437fd106dd6d3baac8cfbafda7ce2aa00768d3c5fffe44ac5fceb773b5a"),
            Map.entry("mixed map8 tight", "cdf011f477c60c948f98d57a36ab424763a18340ac60498e16b96cdfdff26feb"),
            Map.entry("mixed map8 zrle", "0749ab697d318fba60c6dad5a44b7f5e25df6edecc281cc3eb6c953369045f60"),
            Map.entry("mixed rgb565be hextile", "5ca91ce86a624c805afdb2e2c41994ac2b9181db8a018a9298d05dfa2f8d1de7"),
            Map.entry("mixed rgb565be raw", "b6fc14cc5ba67aed2856d22dac147375113987f52bf4917c2866969d6b441d9d"),
            Map.entry("mixed rgb565be tight", "036a900bae06240cd8343e57afbe7c156457da5f7f3c850f4f37fc67c851efdb"),
            Map.entry("mixed rgb565be zrle", "4325a9ca4d8e1cd655fb5dc49427fe4ca474e52d135f20d0e3f50b27ff15c5eb"),
            Map.entry("mixed rgb565le hextile", "e511893eff364d83b8b4b72c6c641c1c86276a870e77b7318333ab8137830688"),
            Map.entry("mixed rgb565le raw", "24e2599286a0e725f765b571437aad41664cbe101fe697ac34d06f297af0c3c9"),
            Map.entry("mixed rgb565le tight", "fdc85ce78f4f8b980e7d2900b9b39b3061876869c11934350954515006b4969b"),
            Map.entry("mixed rgb565le zrle", "f64b2b414da28c74d148628b227a94d05436a99f9e72d05df1a391ef055224e3"),
            Map.entry("mixed rgb888be hextile", "fa0d3006f46c9092d5a646635e9cdbe8dac2f5ffed6a12ba32314b6a989243d6"),
            Map.entry("mixed rgb888be raw", "3c151e0210d18c004851ac57b306a23616bf353d2b6c4f032cd5b67a250392a6"),
            Map.entry("mixed rgb888be tight", "1dd5860697cf1854a943b691592f8bcbe759a22b0e71cdea054c799dc6338e15"),
            Map.entry("mixed rgb888be zrle", "03f253e538c7a0bc487083e9da0d7a6b074bccb793704f597bede4226de93f6b"),
            Map.entry("mixed rgb888le hextile", "adc6f6f22272be58df2b46a14656b77a848bf7b58b7c32a5fc3f0a6b085ec390"),
            Map.entry("mixed rgb888le raw", "d9af274a1e6b411803bd32a012b7eb3816c4feef3a4b7b2b31b03f4cf4c22176"),
            Map.entry("mixed rgb888le tight", "1dd5860697cf1854a943b691592f8bcbe759a22b0e71cdea054c799dc6338e15"),
            Map.entry("mixed rgb888le zrle", "c192fc3d15ee30e78fd216c72e9b37533eb51d7f89d91e771a8c710895c32e9a")
    );

    static Stream<Arguments> cases() {
        return IMAGES.stream().flatMap(i -> FORMATS.keySet().stream()
                .flatMap(f -> ENCODINGS.keySet().stream().map(e -> Arguments.of(i, f, e))));
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void encoderWritesTheSameBytesAsBeforeItsSpeedUp(String image, String format, String encoding) {
        assertEquals(EXPECTED.get(image + " " + format + " " + encoding), digest(image, format, encoding));
    }

    /**
     * The pinned bytes must also be right: the client-side decoder reads all four rectangles back, and for 24-bit
     * true-colour formats gets exactly the source pixels. (Digests alone once pinned empty zlib rectangles.)
     */
    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void thePinnedBytesDecodeBackToThePicture(String image, String format, String encoding) {
        PixelFormat pixelFormat = FORMATS.get(format);
        io.netty.channel.embedded.EmbeddedChannel client = new io.netty.channel.embedded.EmbeddedChannel(
                new org.replaydesk.rfb.codec.ServerMessageDecoder(pixelFormat, WIDTH, HEIGHT));
        try {
            client.writeInbound(Unpooled.wrappedBuffer(encoded(image, format, encoding)));
            client.checkException();
            boolean exact = pixelFormat.trueColour() && pixelFormat.bitsPerPixel() == 32;
            for (int frame = 0; frame < 2; frame++) {
                FramebufferUpdate update = client.readInbound();
                org.junit.jupiter.api.Assertions.assertNotNull(update, "update " + frame + " decoded");
                assertEquals(2, update.rectangles().size());
                int[] pixels = image(image, frame);
                for (var r : update.rectangles()) {
                    int[] got = ((PixelRectangle) r).toArray();
                    assertEquals(r.rect().area(), got.length);
                    if (exact) {
                        int[] want = PixelRectangle.of(Encodings.RAW, r.rect(), pixels, WIDTH).toArray();
                        org.junit.jupiter.api.Assertions.assertArrayEquals(want, got, "frame " + frame + " " + r.rect());
                    }
                }
            }
        } finally {
            client.finishAndReleaseAll();
        }
    }

    static String digest(String image, String format, String encoding) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(encoded(image, format,
                    encoding)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }

    static byte[] encoded(String image, String format, String encoding) {
        FramebufferUpdateEncoder encoder = new FramebufferUpdateEncoder(PixelFormat.RGB888_LE);
        PixelFormat pixelFormat = FORMATS.get(format);
        if (pixelFormat.trueColour()) {
            encoder.setPixelFormat(pixelFormat);
        } else {
            int[] map = new int[256];
            for (int i = 0; i < map.length; i++) {
                map[i] = ((i & 7) * 36) << 16 | (((i >> 3) & 7) * 36) << 8 | ((i >> 6) * 85);
            }
            encoder.setPixelFormat(pixelFormat, ColourMap.ofRgb(map));
        }
        encoder.tight().setCompressLevel(0);
        encoder.zrle().setLevel(0);
        ByteBuf out = Unpooled.buffer();
        try {
            for (int frame = 0; frame < 2; frame++) {
                int[] pixels = image(image, frame);
                encoder.write(FramebufferUpdate.of(
                        PixelRectangle.of(ENCODINGS.get(encoding), new Rect(0, 0, WIDTH, HEIGHT), pixels, WIDTH),
                        PixelRectangle.of(ENCODINGS.get(encoding), new Rect(7, 5, 70, 33), pixels, WIDTH)), out);
            }
            byte[] bytes = new byte[out.readableBytes()];
            out.readBytes(bytes);
            return bytes;
        } finally {
            out.release();
            encoder.handlerRemoved(null);
        }
    }

    private static int[] image(String kind, int frame) {
        int[] px = new int[WIDTH * HEIGHT];
        Random random = new Random(kind.hashCode() * 31 + frame);
        int[] palette = new int[40];
        for (int i = 0; i < palette.length; i++) {
            palette[i] = random.nextInt(0x1000000);
        }
        for (int y = 0; y < HEIGHT; y++) {
            for (int x = 0; x < WIDTH; x++) {
                int p = switch (kind) {
                    // Solid areas, borders and sparse two-colour "text", a run of colours per window.
                    case "desktop" -> x < 20 || y < 12 ? 0x3A6EA5
                            : x == 20 || y == 12 ? 0x404040
                            : (x * 7 + y * 13 + frame) % 11 < 3 ? ((y / 20) % 2 == 0 ? 0 : 0x0000EE) : 0xFFFFFF;
                    case "photo" -> ((x * 2 + frame + random.nextInt(5)) & 0xFF) << 16
                            | ((y * 3 + random.nextInt(5)) & 0xFF) << 8 | ((x + y + random.nextInt(5)) & 0xFF);
                    // Up to 40 colours in blocks: palette RLE, packed palettes, and Tight's larger palettes.
                    case "palette" -> palette[((x / 5) + (y / 3) * 3 + frame) % (5 + (x / 30) * 7)];
                    default -> (x / 16 + y / 16) % 3 == 0 ? random.nextInt(0x1000000)
                            : palette[(x / 16 + y / 16) % 2 == 0 ? x % 3 : (x / 4) % 17];
                };
                px[y * WIDTH + x] = p;
            }
        }
        return px;
    }

    /**
     * Prints the digest table for {@link #EXPECTED}.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        cases().forEach(a -> {
            Object[] c = a.get();
            System.out.println("            Map.entry(\"" + c[0] + " " + c[1] + " " + c[2] + "\", \""
                    + digest((String) c[0], (String) c[1], (String) c[2]) + "\"),");
        });
    }
}

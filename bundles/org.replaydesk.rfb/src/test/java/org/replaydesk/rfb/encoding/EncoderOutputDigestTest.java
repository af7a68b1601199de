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
 * build. The expected digests were produced by the encoders before their speed-up (commit 94080e3): a faster
 * encoder must still write the same bytes. If a change of the bytes is deliberate, check the round trips first,
 * then print new digests with {@link #main}.
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

    /** Digests from commit 94080e3, key "image format encoding". */
    static final Map<String, String> EXPECTED = Map.ofEntries(
            Map.entry("desktop bgr233 hextile", "74412899c46597258798bf4a1496f8da02fa28c019964914d2f250661b026fe5"),
            Map.entry("desktop bgr233 raw", "83e29f0424eb3fd5bfa7e20e3e8e22ec8c4fd295661acfc8c7b55372ec2e7ed8"),
            Map.entry("desktop bgr233 tight", "dded9ecf557d67ab766f0dd3a2f03abb8be2a15819168b348814a0bd3f6d0d9d"),
            Map.entry("desktop bgr233 zrle", "9f51615bce97bd7cdb589e906a09cc668f8676bd54e6048e644a7387908c2755"),
            Map.entry("desktop bgr888le hextile", "f58acf8cf1a6f7ab969b968672189031b69c7562879eb9555bd513246030b28f"),
            Map.entry("desktop bgr888le raw", "bed3451d4bbd42e566955b32f1516617c4f6acb9d678acb2615da382fd9a2f9d"),
            Map.entry("desktop bgr888le tight", "c502e7ee539d18633cff5be93893f922b7cf749b814bd33e94116a73c49b746a"),
            Map.entry("desktop bgr888le zrle", "82e1b438bb4ed6d9fcdc464f791cdde7c34e0f6ab9dd461146f1442f0e665c94"),
            Map.entry("desktop depth32 hextile", "1aed5baeac5613389893ae184217728c91cde973698cefeb058c044ade939106"),
            Map.entry("desktop depth32 raw", "a5627c9cb0ddf97005dbbfe84bf42494e8cccfedf62da2cd2817dcbbe99b2bee"),
            Map.entry("desktop depth32 tight", "4ec26015ace18c9279da64ba3a4cfb15c0b7697de2e94f656bd689ecdc4b6f6b"),
            Map.entry("desktop depth32 zrle", "15c3b17f062f57c5056b2342f694b8adc1373735e549b21626cb8883e1acafd8"),
            Map.entry("desktop high3be hextile", "f58acf8cf1a6f7ab969b968672189031b69c7562879eb9555bd513246030b28f"),
            Map.entry("desktop high3be raw", "bed3451d4bbd42e566955b32f1516617c4f6acb9d678acb2615da382fd9a2f9d"),
            Map.entry("desktop high3be tight", "c502e7ee539d18633cff5be93893f922b7cf749b814bd33e94116a73c49b746a"),
            Map.entry("desktop high3be zrle", "82e1b438bb4ed6d9fcdc464f791cdde7c34e0f6ab9dd461146f1442f0e665c94"),
            Map.entry("desktop map8 hextile", "74412899c46597258798bf4a1496f8da02fa28c019964914d2f250661b026fe5"),
            Map.entry("desktop map8 raw", "83e29f0424eb3fd5bfa7e20e3e8e22ec8c4fd295661acfc8c7b55372ec2e7ed8"),
            Map.entry("desktop map8 tight", "dded9ecf557d67ab766f0dd3a2f03abb8be2a15819168b348814a0bd3f6d0d9d"),
            Map.entry("desktop map8 zrle", "9f51615bce97bd7cdb589e906a09cc668f8676bd54e6048e644a7387908c2755"),
            Map.entry("desktop rgb565be hextile", "90ab21236d51172a9ea538bbbcee2bc6433202fbbe1d9ceba20711463e234ac5"),
            Map.entry("desktop rgb565be raw", "84f746828ae3f87b9fd870bdb8a4ce187034cc4e8683220de571b0fc6efad81f"),
            Map.entry("desktop rgb565be tight", "026b28bffb418fb5100a30c02632feaa43b5e94cc82eb00b0c233136a8189164"),
            Map.entry("desktop rgb565be zrle", "7728595955da509f0130ce61acb3bd6bb8e92fbba6c76d0f0587ac8ce116c8b5"),
            Map.entry("desktop rgb565le hextile", "639cf5e3d3b5ba4272e313a8874fd01a2c1d482fe2f7d5e55e3bb7ac3deb321a"),
            Map.entry("desktop rgb565le raw", "8cb8f2ae7ab55201ed1538ee5a69c405618c77b20320f9aa759a9f5d20c1007c"),
            Map.entry("desktop rgb565le tight", "945ddb682930ac925eb0136766e50fa9a0c20d1b6842daa79bbcc04ab741ff38"),
            Map.entry("desktop rgb565le zrle", "c5357d156e041b7c8041289800750da33f0bd15669e3a325273c5dcf0ecbed32"),
            Map.entry("desktop rgb888be hextile", "dcd1deedfaa0919075e6e4376d53c43361b738e444b96fbb854af3f32d3e48da"),
            Map.entry("desktop rgb888be raw", "80ef11f5e139be9d3a48f44b0fd1dcc90b6bdb3b48389832c9eb033d6c7fb8cf"),
            Map.entry("desktop rgb888be tight", "c502e7ee539d18633cff5be93893f922b7cf749b814bd33e94116a73c49b746a"),
            Map.entry("desktop rgb888be zrle", "82e1b438bb4ed6d9fcdc464f791cdde7c34e0f6ab9dd461146f1442f0e665c94"),
            Map.entry("desktop rgb888le hextile", "1aed5baeac5613389893ae184217728c91cde973698cefeb058c044ade939106"),
            Map.entry("desktop rgb888le raw", "a5627c9cb0ddf97005dbbfe84bf42494e8cccfedf62da2cd2817dcbbe99b2bee"),
            Map.entry("desktop rgb888le tight", "c502e7ee539d18633cff5be93893f922b7cf749b814bd33e94116a73c49b746a"),
            Map.entry("desktop rgb888le zrle", "7b103cef334a9555e3ec5116c019bcef45a1c2f9a7d2979351e4d3263123a1d5"),
            Map.entry("photo bgr233 hextile", "be9f2bee8328692e9a06d131742088b865aeaec587c4fa86b3fb7a8f5d4ab1de"),
            Map.entry("photo bgr233 raw", "b9362e613cdff531626794fe6deeec60ae7a8ad5ef706bcac0295cd0bbb8a61d"),
            Map.entry("photo bgr233 tight", "589cc227961c1c6c05ad21870bb2f0fe3079501e45f0a67917051a454c241650"),
            Map.entry("photo bgr233 zrle", "38c3e142a240d7eb8772f23d26011c021db1a693e3ec8907adf091d2a46548ff"),
            Map.entry("photo bgr888le hextile", "f777042b340f056eda8fcb8eab23c24c9dc59d8d5c6d9a9a083b5fc3ea2633c2"),
            Map.entry("photo bgr888le raw", "2d561b2e6dc697c50f3de4cee591ae303dda2005b36e7dda498d40a767cf5249"),
            Map.entry("photo bgr888le tight", "8b6be9e13abeec198f044912740f2b54e48cb6ef81a9284ae1ff3d5386735784"),
            Map.entry("photo bgr888le zrle", "d24a9b0496c64f52ec91a2186bd351c3b5200e38bd8c184eb454e7fd30306800"),
            Map.entry("photo depth32 hextile", "ad9314539b789f5e489685eb13c1343f9e1444c78f6f1f90b2a077249b38ee62"),
            Map.entry("photo depth32 raw", "2e56d5484441f75356060fedcdf2c4962962911cfb94cf5c83403c64b414b034"),
            Map.entry("photo depth32 tight", "b4af4c8afec3c3a3373f6ad3d36ef23dacebccc5fc17140a3316cf9b6a0eea2d"),
            Map.entry("photo depth32 zrle", "67500a0968406c1391d61a3e0e6bb1a75f71179e58dc239a0abc36afff25ccc3"),
            Map.entry("photo high3be hextile", "f777042b340f056eda8fcb8eab23c24c9dc59d8d5c6d9a9a083b5fc3ea2633c2"),
            Map.entry("photo high3be raw", "2d561b2e6dc697c50f3de4cee591ae303dda2005b36e7dda498d40a767cf5249"),
            Map.entry("photo high3be tight", "8b6be9e13abeec198f044912740f2b54e48cb6ef81a9284ae1ff3d5386735784"),
            Map.entry("photo high3be zrle", "d24a9b0496c64f52ec91a2186bd351c3b5200e38bd8c184eb454e7fd30306800"),
            Map.entry("photo map8 hextile", "85b5e03782e93cebdcf372943f078253d7fbd4a307785e1b213add1dee7e1a17"),
            Map.entry("photo map8 raw", "e7fd26c1b9a6c248426049dee8320c34c50850d65b39eef6d38e120f60f3a041"),
            Map.entry("photo map8 tight", "a2e4c77b38629cad02153247133f0da811874b44c8365119d3b8d01276231def"),
            Map.entry("photo map8 zrle", "d7b6eb3d67e3ba62ff605e368557662b12d54bde3cd9f0b4d54887087d1dfff9"),
            Map.entry("photo rgb565be hextile", "fe4ab89980e5478f277851acfcf20bb766e3cc0728d4004d21260609fbc76b07"),
            Map.entry("photo rgb565be raw", "ebaba6cfbefb9504f7e4979110d093f0e9121f3b4577fdff39f9d5373710f9c2"),
            Map.entry("photo rgb565be tight", "2505d2301718eefbae084976233378cb236d34e3befc739c787c82e2fbc32e21"),
            Map.entry("photo rgb565be zrle", "ddc6334bb9ad6d3cc21a9800576487fcdf5309e9ad032c347891569b1abd2a1c"),
            Map.entry("photo rgb565le hextile", "3ca9fb4adeecb55a153eb2049f1d4715e98d6d3bc3347aeee0263a4ae72caf7a"),
            Map.entry("photo rgb565le raw", "60b140dc879a09855e6533f76da80f09ba62f99169dcdd83fb460f864b6a1e9c"),
            Map.entry("photo rgb565le tight", "c0b6fefb1130824aca6a58ba59cbce0aac89b9d1937b47add01d1609b2f27e60"),
            Map.entry("photo rgb565le zrle", "866c057f871c2198d0dbc79b6317fde8570598aa0c847ecdb16bc0ca9ad6b8d4"),
            Map.entry("photo rgb888be hextile", "e7a593775d789b9b957fd84f1b153301e72a780e38b84788910481954055b0e8"),
            Map.entry("photo rgb888be raw", "8e8759af61a0e57d91ab77a0666a0965c9001d8894fb898dee552084b3c64b36"),
            Map.entry("photo rgb888be tight", "8b6be9e13abeec198f044912740f2b54e48cb6ef81a9284ae1ff3d5386735784"),
            Map.entry("photo rgb888be zrle", "d24a9b0496c64f52ec91a2186bd351c3b5200e38bd8c184eb454e7fd30306800"),
            Map.entry("photo rgb888le hextile", "ad9314539b789f5e489685eb13c1343f9e1444c78f6f1f90b2a077249b38ee62"),
            Map.entry("photo rgb888le raw", "2e56d5484441f75356060fedcdf2c4962962911cfb94cf5c83403c64b414b034"),
            Map.entry("photo rgb888le tight", "8b6be9e13abeec198f044912740f2b54e48cb6ef81a9284ae1ff3d5386735784"),
            Map.entry("photo rgb888le zrle", "dc62f864d07c2dd43566fd8b534661dc74f2d8753ed90f0287bbb2be93b8cccb"),
            Map.entry("palette bgr233 hextile", "515336fc6e85052d155e45eecfa0cc147f1a713a8e776fa5adf92cc3fd70a3ca"),
            Map.entry("palette bgr233 raw", "8dece0ac8ee78a7d86c19e8ff684bb340d161593f407b9b82af70249bc3389d2"),
            Map.entry("palette bgr233 tight", "4e166267fff7030c957efac56efae1af758643669d09122fd5d69c777f4d2253"),
            Map.entry("palette bgr233 zrle", "605e9bc581cd7a7874455f1c6bb3fb2c67f721581359c489416e2369a4238f5a"),
            Map.entry("palette bgr888le hextile", "f890631f78e027cc48e9b2742e16df25607a16217bd0b4bb6d5244817fa2909c"),
            Map.entry("palette bgr888le raw", "10a04cf631e1c57f5400487175abb55fce434de0706cf912ffb4fe3eb0487c8e"),
            Map.entry("palette bgr888le tight", "67e5b09f3e39fffc4bf477fbbc16f39dc11f2357c9eeacf5704730b6607678fa"),
            Map.entry("palette bgr888le zrle", "e97da28aa07e974fcfa33e176138ec68b0c8503c1adf245075fcda4a48f68113"),
            Map.entry("palette depth32 hextile", "0769e71abfbd18f7b4fa54d53dac2178814920889f49731a2aa857f804df0b8a"),
            Map.entry("palette depth32 raw", "22d64f81801c58da562ae7c14e9f1997cdeb438f3034ef711cb443a1b62bdb39"),
            Map.entry("palette depth32 tight", "75e4d04f78e1d607f62ee26ea63401a03fe640fb29b2b4fcbe73529bb84c1325"),
            Map.entry("palette depth32 zrle", "8c85a96917c81d695212ba22f07ee72df219fb783e13f031ffae871aa516b6b7"),
            Map.entry("palette high3be hextile", "5e292f5ecf4fe20dbc4b686c97c44aa2db6f067c96981d2de22c05aa5341d80a"),
            Map.entry("palette high3be raw", "10a04cf631e1c57f5400487175abb55fce434de0706cf912ffb4fe3eb0487c8e"),
            Map.entry("palette high3be tight", "67e5b09f3e39fffc4bf477fbbc16f39dc11f2357c9eeacf5704730b6607678fa"),
            Map.entry("palette high3be zrle", "e97da28aa07e974fcfa33e176138ec68b0c8503c1adf245075fcda4a48f68113"),
            Map.entry("palette map8 hextile", "91fcd630a9ff8c6bec855e91c0b8020db0f77dfa1da9b92b8eb4a9f8f4726285"),
            Map.entry("palette map8 raw", "dc53d71aec5e805d8842d20dab3f75013e09595fc6e631f543b4ff40d01929a6"),
            Map.entry("palette map8 tight", "7ce83115dd16272cae406e44b2208b3869d3f539ada0629a4487ff300fce0de5"),
            Map.entry("palette map8 zrle", "2dbcfe15a44f57533b6e386f980533a7df473f166b6022bab8cb62f6f597a2a1"),
            Map.entry("palette rgb565be hextile", "10c63933cdd658643d2113c1710172ad421db83f1009deb4b36a9497f85e820a"),
            Map.entry("palette rgb565be raw", "23d17abb9af019acc032fe7ebfa106fcc062e4c21cef685b3c2ef7d337763383"),
            Map.entry("palette rgb565be tight", "cc2c77faa5943aa30345026092ddbe8ae74658ba2104485ff2ab724a2116250f"),
            Map.entry("palette rgb565be zrle", "4d6e0d839777844e76b7b650c16675661e9abe7a35d7f62498b1406486d52b2d"),
            Map.entry("palette rgb565le hextile", "84a5301d69f691bb458ce8bc86a89b9877b952f84060e9978b74d19d88b9d3d8"),
            Map.entry("palette rgb565le raw", "3871cdbef19c58f981546533debe07cb5be80ac200d8ed8a9b476ea04e80f9db"),
            Map.entry("palette rgb565le tight", "1a6f3a7476a3a74e09b71aeb1c092a0409b8be8cedbf4d6ef331fc13b64b2815"),
            Map.entry("palette rgb565le zrle", "a87c543209c01cc52b7ea80339133d616c8ab6a7ee5a84eb3ca961f59e575b9c"),
            Map.entry("palette rgb888be hextile", "1a276f4c66a2791125f204114f863be2fc543e7e510103ccda81d5d31cb33718"),
            Map.entry("palette rgb888be raw", "1b26b5fbf128e942d069196ac23ad62cad359827b63d2dae9094ffde13ebf15f"),
            Map.entry("palette rgb888be tight", "67e5b09f3e39fffc4bf477fbbc16f39dc11f2357c9eeacf5704730b6607678fa"),
            Map.entry("palette rgb888be zrle", "e97da28aa07e974fcfa33e176138ec68b0c8503c1adf245075fcda4a48f68113"),
            Map.entry("palette rgb888le hextile", "0769e71abfbd18f7b4fa54d53dac2178814920889f49731a2aa857f804df0b8a"),
            Map.entry("palette rgb888le raw", "22d64f81801c58da562ae7c14e9f1997cdeb438f3034ef711cb443a1b62bdb39"),
            Map.entry("palette rgb888le tight", "67e5b09f3e39fffc4bf477fbbc16f39dc11f2357c9eeacf5704730b6607678fa"),
            Map.entry("palette rgb888le zrle", "933205eacaf98736cf85f3e9566f04366dcc1db9f8eaf31e5b2059f524bb90ce"),
            Map.entry("mixed bgr233 hextile", "b41430328e2a90df0278456685bb0117471064e81f8aafed02e730390af7d681"),
            Map.entry("mixed bgr233 raw", "f869f7adfeb4cdd642b2fd2547d70e218907b75c106798d4b72bd12e46349269"),
            Map.entry("mixed bgr233 tight", "ca459c3a78d45bf8f113e21449ad479a404716b79a9c4597f7284c0ab0373515"),
            Map.entry("mixed bgr233 zrle", "59dbe49cc896ad512fb9c599f1c1252df7b090754297510adc8867a9c4a2923c"),
            Map.entry("mixed bgr888le hextile", "425e16d111d1efba70b7d8cdc9578c1fb9af82c7eb7d3f83ef5a48401b1d37ef"),
            Map.entry("mixed bgr888le raw", "e87dac7413bfa73fa68dfb97086ddd74215cfa206aec849cde9e0ba2051af3ba"),
            Map.entry("mixed bgr888le tight", "ad2138363897069b8993b02a26e9d33265d1b4c024a3c37afb73ca12bd77d01d"),
            Map.entry("mixed bgr888le zrle", "3138e43e5a14d4a3d6280d7eb9971d04fccc44a7d41ad27e82b8de2746d43486"),
            Map.entry("mixed depth32 hextile", "adc6f6f22272be58df2b46a14656b77a848bf7b58b7c32a5fc3f0a6b085ec390"),
            Map.entry("mixed depth32 raw", "d9af274a1e6b411803bd32a012b7eb3816c4feef3a4b7b2b31b03f4cf4c22176"),
            Map.entry("mixed depth32 tight", "5a7a62062ca3dac373f1348c586f18d081fb5270b379081746d215c95868801d"),
            Map.entry("mixed depth32 zrle", "f376a1bd733244016b73a412cfcdf16af6d3735962053db19c9a6b3e188bf7d4"),
            Map.entry("mixed high3be hextile", "8d70aa262f3faafe8090b67738ba6d52ca0ccbbccab18a3e8fe5474811ca681a"),
            Map.entry("mixed high3be raw", "e87dac7413bfa73fa68dfb97086ddd74215cfa206aec849cde9e0ba2051af3ba"),
            Map.entry("mixed high3be tight", "ad2138363897069b8993b02a26e9d33265d1b4c024a3c37afb73ca12bd77d01d"),
            Map.entry("mixed high3be zrle", "3138e43e5a14d4a3d6280d7eb9971d04fccc44a7d41ad27e82b8de2746d43486"),
            Map.entry("mixed map8 hextile", "a8565041227abd9585b14c1c22dce38c2ed20d0f69674d84665b1f6ae77b3219"),
            Map.entry("mixed map8 raw", "cac82437fd106dd6d3baac8cfbafda7ce2aa00768d3c5fffe44ac5fceb773b5a"),
            Map.entry("mixed map8 tight", "12ccaa507cf239dfa0b20eaeb398a0a295cf3dc712cde3de2401d353d507a9a6"),
            Map.entry("mixed map8 zrle", "5864ca1072df95e143cf84be95477396507b8a8bbb8ad806dbb1436fc82af417"),
            Map.entry("mixed rgb565be hextile", "5ca91ce86a624c805afdb2e2c41994ac2b9181db8a018a9298d05dfa2f8d1de7"),
            Map.entry("mixed rgb565be raw", "b6fc14cc5ba67aed2856d22dac147375113987f52bf4917c2866969d6b441d9d"),
            Map.entry("mixed rgb565be tight", "4f3ccfbe1e2741490250d100c06aec457060b312ef1e73d2c19d5475338e097b"),
            Map.entry("mixed rgb565be zrle", "089666b0070245551e7737d17055a9e6b30d41bffb861badd92985dd93facfb2"),
            Map.entry("mixed rgb565le hextile", "e511893eff364d83b8b4b72c6c641c1c86276a870e77b7318333ab8137830688"),
            Map.entry("mixed rgb565le raw", "24e2599286a0e725f765b571437aad41664cbe101fe697ac34d06f297af0c3c9"),
            Map.entry("mixed rgb565le tight", "8c8974e70ec9d4494d7a609019a289f2384d7a2e7f3b23b6d1c32c1c746fcde3"),
            Map.entry("mixed rgb565le zrle", "d8d09d86aa61ee14063ff40c4a76dd3dd542aa3b4e05f93abf96223cbd47a5ee"),
            Map.entry("mixed rgb888be hextile", "fa0d3006f46c9092d5a646635e9cdbe8dac2f5ffed6a12ba32314b6a989243d6"),
            Map.entry("mixed rgb888be raw", "3c151e0210d18c004851ac57b306a23616bf353d2b6c4f032cd5b67a250392a6"),
            Map.entry("mixed rgb888be tight", "ad2138363897069b8993b02a26e9d33265d1b4c024a3c37afb73ca12bd77d01d"),
            Map.entry("mixed rgb888be zrle", "3138e43e5a14d4a3d6280d7eb9971d04fccc44a7d41ad27e82b8de2746d43486"),
            Map.entry("mixed rgb888le hextile", "adc6f6f22272be58df2b46a14656b77a848bf7b58b7c32a5fc3f0a6b085ec390"),
            Map.entry("mixed rgb888le raw", "d9af274a1e6b411803bd32a012b7eb3816c4feef3a4b7b2b31b03f4cf4c22176"),
            Map.entry("mixed rgb888le tight", "ad2138363897069b8993b02a26e9d33265d1b4c024a3c37afb73ca12bd77d01d"),
            Map.entry("mixed rgb888le zrle", "7b2759e6c70c9fd6e578f98cb29611b1352a1110364585516ba2f369a2ca6bb5")
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

    static String digest(String image, String format, String encoding) {
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
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
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

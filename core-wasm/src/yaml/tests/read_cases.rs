// Generated from Helm v4.3.1: `fromYaml (.Files.Get case) | toJson`.
pub const READ: &[(&str, &str)] = &[
    (
        "a: 1\nb: [1, 2.5, yes, on, y, \"x\", ~, 0755, 0o17, 0x1F, 0b101, 1_000, .5, +1, 2020-01-01, 12:30, 1e3]\n",
        "{\"a\":1,\"b\":[1,2.5,true,true,true,\"x\",null,493,15,31,5,1000,0.5,1,\"2020-01-01\",\"12:30\",1000]}",
    ),
    (
        "v: [9007199254740993, 0.1, 1e-7, 123456789.123, 1.0000001, -0, 0x_1F, 1__0, 0b1_1, 09, 0o8, 1:20:30, -1_0, +0x10, -0b11, 1.5e3, 1.5E+3, 1e, .e3, 1., -.5, +.5e2, 1e400, 1e-400, 18446744073709551615, 18446744073709551616, -9223372036854775808, 0X1f, 0B11, 0O17, -0o17, 0x, 00, 0.0, -0.0]\n",
        "{\"v\":[9007199254740992,0.1,1e-7,123456789.123,1.0000001,0,31,10,3,9,\"0o8\",\"1:20:30\",-10,16,-3,1500,1500,\"1e\",\".e3\",1,-0.5,50,\"1e400\",0,18446744073709552000,18446744073709552000,-9223372036854776000,31,3,15,-15,\"0x\",0,0,-0]}",
    ),
    (
        "v: [Yes, YES, No, NO, n, N, Y, Off, OFF, on, On, ON, TRUE, True, FALSE, False, tRue, yES, Null, NULL, nULL, '~', .NaN, .Inf]\n",
        "{\"Error\":\"error converting YAML to JSON: json: unsupported value: NaN\"}",
    ),
    (
        "c: {y: 1, on: 2, 1: 3, 1.5: 4, 0x10: 7, true: 8, 0.1: 9, 123456789.0: 10, 1e3: 11, 07: 12, 9223372036854775807: 13, 1e30: 15, -1: 16, Off: 17, 2020-01-01: 18, .5: 19, 1000000.0: 20}\n",
        "{\"c\":{\"-1\":16,\"0.1\":9,\"0.5\":19,\"1\":3,\"1.2345679e+08\":10,\"1.5\":4,\"1000\":11,\"16\":7,\"1e+06\":20,\"1e+30\":15,\"2020-01-01\":18,\"7\":12,\"9223372036854775807\":13,\"false\":17,\"true\":8}}",
    ),
    (
        "x: &a {k: 1, j: 2}\ny:\n  k: 0\n  <<: *a\n  z: 3\nw:\n  <<: [*a, {k: 5, m: 6}]\n  j: 9\n",
        "{\"true\":{\"j\":2,\"k\":1,\"z\":3},\"w\":{\"j\":9,\"k\":1,\"m\":6},\"x\":{\"j\":2,\"k\":1}}",
    ),
    (
        "a: !!int '3'\nb: !!float 3\nc: !!str 3\nd: !!binary aGVsbG8=\ne: !foo x\nf: !!bool yes\ng: !!null ''\nh: ! 12\ni: !!str\nj: !!timestamp 2001-12-14\nk: !<tag:yaml.org,2002:int> 7\n",
        "{\"a\":3,\"b\":3,\"c\":\"3\",\"d\":\"hello\",\"e\":\"x\",\"f\":true,\"g\":null,\"h\":\"12\",\"i\":\"\",\"j\":\"2001-12-14\",\"k\":7}",
    ),
    ("a: 1\na: 2\n", "{\"a\":2}"),
    (
        "a: |\n  line1\n  line2\nb: >\n  folded\n  text\n\n  para\nc: |-\n  strip\nd: |+\n  keep\n\ne: >-\n   indented\n  less\nf: |2\n    two\ng: end\n",
        "{\"Error\":\"error converting YAML to JSON: yaml: line 15: did not find expected key\"}",
    ),
    (
        "a: \"esc \\x41 \\u00e9 \\U0001F600 \\t \\n \\\\ \\\" \\/ \\0 \\a \\b \\e \\N \\_ \\L \\P\"\nb: 'it''s'\nc: \"multi\n  line\n\n  para\"\nd: plain\n  multi\n  line\ne: 'single\n  folded'\n",
        "{\"Error\":\"error converting YAML to JSON: yaml: found unknown escape character\"}",
    ),
    (
        "# comment\na: 1 # trailing\n# another\nb: 'x' #c\n",
        "{\"a\":1,\"b\":\"x\"}",
    ),
    ("---\na: 1\n...\n", "{\"a\":1}"),
    (
        "a: {b: [1, {c: d}], e: []}\nf: [a, b, {g: h}]\n",
        "{\"a\":{\"b\":[1,{\"c\":\"d\"}],\"e\":[]},\"f\":[\"a\",\"b\",{\"g\":\"h\"}]}",
    ),
    (
        "a:\n- 1\n- - 2\n  - 3\n- k: v\n  l: w\n",
        "{\"a\":[1,[2,3],{\"k\":\"v\",\"l\":\"w\"}]}",
    ),
    (
        "a: &x 1\nb: *x\nc: &y [1, 2]\nd: *y\n",
        "{\"a\":1,\"b\":1,\"c\":[1,2],\"d\":[1,2]}",
    ),
    ("", "{}"),
    ("# only a comment\n", "{}"),
    ("null\n", "{}"),
    (
        "a: b: c\n",
        "{\"Error\":\"error converting YAML to JSON: yaml: mapping values are not allowed in this context\"}",
    ),
    (
        "a:\n  b: 1\n c: 2\n",
        "{\"Error\":\"error converting YAML to JSON: yaml: line 2: did not find expected key\"}",
    ),
    (
        "a: @x\n",
        "{\"Error\":\"error converting YAML to JSON: yaml: found character that cannot start any token\"}",
    ),
    (
        "a: [1, 2\n",
        "{\"Error\":\"error converting YAML to JSON: yaml: line 1: did not find expected ',' or ']'\"}",
    ),
    (
        "a: !!int abc\n",
        "{\"Error\":\"error converting YAML to JSON: yaml: cannot decode !!str `abc` as a !!int\"}",
    ),
    (
        "- 1\n",
        "{\"Error\":\"error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}\"}",
    ),
    (
        "x\n",
        "{\"Error\":\"error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go value of type map[string]interface {}\"}",
    ),
    (
        "3\n",
        "{\"Error\":\"error unmarshaling JSON: while decoding JSON: json: cannot unmarshal number into Go value of type map[string]interface {}\"}",
    ),
    (
        "true\n",
        "{\"Error\":\"error unmarshaling JSON: while decoding JSON: json: cannot unmarshal bool into Go value of type map[string]interface {}\"}",
    ),
    (
        "a: *x\n",
        "{\"Error\":\"error converting YAML to JSON: yaml: unknown anchor 'x' referenced\"}",
    ),
    (
        "a: {b: 1}\n<<: 3\n",
        "{\"Error\":\"error converting YAML to JSON: yaml: map merge requires map or sequence of maps as the value\"}",
    ),
    (
        "a: \"\\q\"\n",
        "{\"Error\":\"error converting YAML to JSON: yaml: found unknown escape character\"}",
    ),
    (
        "a: \"x\n",
        "{\"Error\":\"error converting YAML to JSON: yaml: line 2: found unexpected end of stream\"}",
    ),
    (
        "a:\n\tb: 1\n",
        "{\"Error\":\"error converting YAML to JSON: yaml: line 2: found character that cannot start any token\"}",
    ),
    (
        "a: {[1]: 2}\n",
        "{\"Error\":\"error converting YAML to JSON: yaml: invalid map key: []interface {}{1}\"}",
    ),
    (
        "a: !!binary \"@@\"\n",
        "{\"Error\":\"error converting YAML to JSON: yaml: !!binary value contains invalid base64 data\"}",
    ),
    (
        "a: .nan\n",
        "{\"Error\":\"error converting YAML to JSON: json: unsupported value: NaN\"}",
    ),
    (
        "a: -.inf\n",
        "{\"Error\":\"error converting YAML to JSON: json: unsupported value: -Inf\"}",
    ),
    ("a: 1\n---\nb: 2\n", "{\"a\":1}"),
    ("--- {a: 1}\n--- {b: 2}\n", "{\"a\":1}"),
    (
        "a: &a [*a]\n",
        "{\"Error\":\"error converting YAML to JSON: yaml: anchor 'a' value contains itself\"}",
    ),
    (
        "a: {~: 1}\n",
        "{\"Error\":\"error converting YAML to JSON: unsupported map key of type: %!s(\\u003cnil\\u003e), key: \\u003cnil\\u003e, value: 1\"}",
    ),
    (
        "a: {9223372036854775808: 1}\n",
        "{\"Error\":\"error converting YAML to JSON: unsupported map key of type: uint64, key: 0x8000000000000000, value: 1\"}",
    ),
    (
        "'a': 1\n\"b\": 2\n? c\n: 3\n? [x]\n: 4\n",
        "{\"Error\":\"error converting YAML to JSON: yaml: invalid map key: []interface {}{\\\"x\\\"}\"}",
    ),
    (
        "a: 'x\n",
        "{\"Error\":\"error converting YAML to JSON: yaml: line 2: found unexpected end of stream\"}",
    ),
    (
        "a: [1, 2]]\n",
        "{\"Error\":\"error converting YAML to JSON: yaml: did not find expected key\"}",
    ),
    (
        "a: 1\n b: 2\n",
        "{\"Error\":\"error converting YAML to JSON: yaml: line 2: mapping values are not allowed in this context\"}",
    ),
    (
        "key: value\n- item\n",
        "{\"Error\":\"error converting YAML to JSON: yaml: line 1: did not find expected key\"}",
    ),
    (
        "a:\n  - 1\n  b: 2\n",
        "{\"Error\":\"error converting YAML to JSON: yaml: line 2: did not find expected '-' indicator\"}",
    ),
    ("a: |\n text\n  more\n", "{\"a\":\"text\\n more\\n\"}"),
    (
        "a: {b: c\n",
        "{\"Error\":\"error converting YAML to JSON: yaml: line 1: did not find expected ',' or '}'\"}",
    ),
    (
        "a: 'b' c\n",
        "{\"Error\":\"error converting YAML to JSON: yaml: did not find expected key\"}",
    ),
    ("%YAML 1.1\n---\na: 1\n", "{\"a\":1}"),
    (
        "%FOO bar\n---\na: 1\n",
        "{\"Error\":\"error converting YAML to JSON: yaml: found unknown directive name\"}",
    ),
    (
        "a: &anc\n  b: 1\nc:\n  <<: *anc\n  d: 2\n",
        "{\"a\":{\"b\":1},\"c\":{\"b\":1,\"d\":2}}",
    ),
    (
        "a: 0.5e+3\nb: 1e+3\nc: 6.02e23\nd: 1.7976931348623157e308\ne: 5e-324\nf: 123456789012345678901234567890\ng: 0.000001\nh: 0.0000001\n",
        "{\"a\":500,\"b\":1000,\"c\":6.02e+23,\"d\":1.7976931348623157e+308,\"e\":5e-324,\"f\":1.2345678901234568e+29,\"g\":0.000001,\"h\":1e-7}",
    ),
    (
        "\"<<\": {a: 1}\nb: {'<<': 2}\n",
        "{\"\\u003c\\u003c\":{\"a\":1},\"b\":{\"\\u003c\\u003c\":2}}",
    ),
    ("a: <<\n", "{\"a\":\"\\u003c\\u003c\"}"),
    (
        "a: x: y\n",
        "{\"Error\":\"error converting YAML to JSON: yaml: mapping values are not allowed in this context\"}",
    ),
    (
        "a:\n  b\n  c: d\n",
        "{\"Error\":\"error converting YAML to JSON: yaml: line 3: mapping values are not allowed in this context\"}",
    ),
    (
        "[1, 2]: x\n",
        "{\"Error\":\"error converting YAML to JSON: yaml: invalid map key: []interface {}{1, 2}\"}",
    ),
    (
        "a: \"\\u00\"\n",
        "{\"Error\":\"error converting YAML to JSON: yaml: did not find expected hexdecimal number\"}",
    ),
    (
        "a: b\n\tc: d\n",
        "{\"Error\":\"error converting YAML to JSON: yaml: line 2: found a tab character that violates indentation\"}",
    ),
    (
        "a: - b\n",
        "{\"Error\":\"error converting YAML to JSON: yaml: block sequence entries are not allowed in this context\"}",
    ),
    (
        "a: [b, c]: d\n",
        "{\"Error\":\"error converting YAML to JSON: yaml: mapping values are not allowed in this context\"}",
    ),
    ("? |\n  block key\n: v\n", "{\"block key\\n\":\"v\"}"),
    (
        "a: \"tab\there\"\nb: 'x\ty'\nc: x\ty\n",
        "{\"a\":\"tab\\there\",\"b\":\"x\\ty\",\"c\":\"x\\ty\"}",
    ),
    (
        "a: 2001-12-14t21:59:43.10-05:00\nb: 2001-12-14 21:59:43.10\nc: 2002-12-14\n",
        "{\"a\":\"2001-12-14t21:59:43.10-05:00\",\"b\":\"2001-12-14 21:59:43.10\",\"c\":\"2002-12-14\"}",
    ),
    (
        "a: -\nb: - \n",
        "{\"Error\":\"error converting YAML to JSON: yaml: block sequence entries are not allowed in this context\"}",
    ),
    (
        "a: |\n  line1\n  line2\nb: >\n  folded\n  text\n\n  para\nc: |-\n  strip\nd: |+\n  keep\n\ne: >-\n  more\n    indented\n  back\nf: |2\n    two\ng: end\n",
        "{\"a\":\"line1\\nline2\\n\",\"b\":\"folded text\\npara\\n\",\"c\":\"strip\",\"d\":\"keep\\n\\n\",\"e\":\"more\\n  indented\\nback\",\"f\":\"  two\\n\",\"g\":\"end\"}",
    ),
    (
        "a: \"esc \\x41 \\u00e9 \\U0001F600 \\t \\n \\\\ \\\" \\0 \\a \\b \\e \\N \\_ \\L \\P \\  \\\n  cont\"\nb: 'it''s'\nc: \"multi\n  line\n\n  para\"\nd: plain\n  multi\n  line\ne: 'single\n  folded'\n",
        "{\"a\":\"esc A é 😀 \\t \\n \\\\ \\\" \\u0000 \\u0007 \\b \\u001b \u{85}   \\u2028 \\u2029   cont\",\"b\":\"it's\",\"c\":\"multi line\\npara\",\"d\":\"plain multi line\",\"e\":\"single folded\"}",
    ),
    (
        "v: [Yes, YES, No, NO, n, N, Y, Off, OFF, on, On, ON, TRUE, True, FALSE, False, tRue, yES, Null, NULL, nULL, '~', .nAn, .iNF]\n",
        "{\"v\":[true,true,false,false,false,false,true,false,false,true,true,true,true,true,false,false,\"tRue\",\"yES\",null,null,\"nULL\",\"~\",\".nAn\",\".iNF\"]}",
    ),
    (
        "a:\n  b:\n    c: 1\n  d:\n  - e\n  -\n  - f: g\n    h:\n",
        "{\"a\":{\"b\":{\"c\":1},\"d\":[\"e\",null,{\"f\":\"g\",\"h\":null}]}}",
    ),
    (
        "a: >\n  x\n\n\n  y\n   z\n  w\nb: |\n\n  lead\nc: >+\n  k\n\nd: x\n",
        "{\"a\":\"x\\n\\ny\\n z\\nw\\n\",\"b\":\"\\nlead\\n\",\"c\":\"k\\n\\n\",\"d\":\"x\"}",
    ),
    (
        "a: { b: 1, c: [2, 3], }\nb: [ 1, 2, ]\nc: {d}\ne: [f: g]\n",
        "{\"a\":{\"b\":1,\"c\":[2,3]},\"b\":[1,2],\"c\":{\"d\":null},\"e\":[{\"f\":\"g\"}]}",
    ),
    (
        "a: 'x'\nb: \"\"\nc: ''\nd:\ne: null\n",
        "{\"a\":\"x\",\"b\":\"\",\"c\":\"\",\"d\":null,\"e\":null}",
    ),
    (
        "k: &m {a: 1}\nl: *m\nm: [*m, *m]\n",
        "{\"k\":{\"a\":1},\"l\":{\"a\":1},\"m\":[{\"a\":1},{\"a\":1}]}",
    ),
    (
        "a: éè 中文\nb: 'x # y'\nc: x#y\nd: -x\ne: :x\nf: ?x\n",
        "{\"a\":\"éè 中文\",\"b\":\"x # y\",\"c\":\"x#y\",\"d\":\"-x\",\"e\":\":x\",\"f\":\"?x\"}",
    ),
    (
        "v: [a b, 'a  b', \"a\\tb\", a b]\n",
        "{\"v\":[\"a b\",\"a  b\",\"a\\tb\",\"a b\"]}",
    ),
    ("a: {b: c:d}\n", "{\"a\":{\"b\":\"c:d\"}}"),
    ("a: [b:c, d]\n", "{\"a\":[\"b:c\",\"d\"]}"),
    ("a:\tb\n", "{\"a\":\"b\"}"),
    ("a: b\t\n", "{\"a\":\"b\"}"),
    (
        "a: [a, b]x\n",
        "{\"Error\":\"error converting YAML to JSON: yaml: did not find expected key\"}",
    ),
    (
        "a: 'x'y\n",
        "{\"Error\":\"error converting YAML to JSON: yaml: did not find expected key\"}",
    ),
    (
        "- a\n- b: c\n  d: e\n",
        "{\"Error\":\"error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}\"}",
    ),
    ("a: !!map {b: 1}\n", "{\"a\":{\"b\":1}}"),
    ("a: !!seq [1]\n", "{\"a\":[1]}"),
    ("a: !!str [1]\n", "{\"a\":[1]}"),
    ("a: &x\nb: *x\n", "{\"a\":null,\"b\":null}"),
    ("a: 1\r\nb: 2\r\n", "{\"a\":1,\"b\":2}"),
    ("﻿a: 1\n", "{\"a\":1}"),
    ("a: \"\\x7f\"\n", "{\"a\":\"\u{7f}\"}"),
    (
        "a: \u{7f}\n",
        "{\"Error\":\"error converting YAML to JSON: yaml: control characters are not allowed\"}",
    ),
    (
        "a: |\n  x\n y\n",
        "{\"Error\":\"error converting YAML to JSON: yaml: line 2: did not find expected key\"}",
    ),
    ("a: >2\n   x\n", "{\"a\":\" x\\n\"}"),
    (
        "a:\n  - b\n  -c\n",
        "{\"Error\":\"error converting YAML to JSON: yaml: line 4: could not find expected ':'\"}",
    ),
    ("{a: 1}\n", "{\"a\":1}"),
    (
        "[a]: 1\n",
        "{\"Error\":\"error converting YAML to JSON: yaml: invalid map key: []interface {}{\\\"a\\\"}\"}",
    ),
    (
        "a: ? b\n",
        "{\"Error\":\"error converting YAML to JSON: yaml: mapping keys are not allowed in this context\"}",
    ),
    ("? a\n? b\n", "{\"a\":null,\"b\":null}"),
    ("a: 1\n...\nb: 2\n", "{\"a\":1}"),
    ("a: !!float '1e3'\n", "{\"a\":1000}"),
    ("a: !!int 0x10\n", "{\"a\":16}"),
    (
        "a: !!float .inf\n",
        "{\"Error\":\"error converting YAML to JSON: json: unsupported value: +Inf\"}",
    ),
    (
        "a: !!int 1.5\n",
        "{\"Error\":\"error converting YAML to JSON: yaml: cannot decode !!float `1.5` as a !!int\"}",
    ),
    (
        "a: !!bool 1\n",
        "{\"Error\":\"error converting YAML to JSON: yaml: cannot decode !!int `1` as a !!bool\"}",
    ),
    (
        "a: !!null x\n",
        "{\"Error\":\"error converting YAML to JSON: yaml: cannot decode !!str `x` as a !!null\"}",
    ),
    ("a: {<<: {b: 1}, b: 2}\n", "{\"a\":{\"b\":2}}"),
    (
        "a: [1, [2, [3, [4]]]]\nb: {c: {d: {e: {}}}}\n",
        "{\"a\":[1,[2,[3,[4]]]],\"b\":{\"c\":{\"d\":{\"e\":{}}}}}",
    ),
    (
        "a: 0x8000000000000000\nb: -0x8000000000000000\nc: -0x8000000000000001\n",
        "{\"a\":9223372036854776000,\"b\":-9223372036854776000,\"c\":\"-0x8000000000000001\"}",
    ),
    (
        "a: 1_0.5\nb: 1e1_0\nc: 0b2\n",
        "{\"a\":10.5,\"b\":10000000000,\"c\":\"0b2\"}",
    ),
    (
        "a: {? {x: }: 1}\n",
        "{\"Error\":\"error converting YAML to JSON: yaml: invalid map key: map[interface {}]interface {}{\\\"x\\\":interface {}(nil)}\"}",
    ),
];

@testable import CaseRunner
import Testing

@Suite struct JSONParserTests {
    private func syntaxError(_ text: String) -> JSONSyntaxError? {
        do {
            _ = try JSONParser.parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func parsesValuesWithTheirPositionsAndKeyOrder() throws {
        let node = try JSONParser.parse("{\n  \"b\": [1, 2.5e3, -0.5],\n  \"a\": {\"x\": true, \"y\": null, \"s\": \"\\u00e9\\n\"}\n}")
        guard case let .object(members) = node.value else { Issue.record("not an object"); return }
        #expect(members.map(\.key) == ["b", "a"])
        #expect(members[0].keyPosition == TextPosition(line: 2, column: 3))
        #expect(members[1].value.position == TextPosition(line: 3, column: 8))
        guard case let .array(items) = members[0].value.value, case let .number(x, text) = items[1].value else {
            Issue.record("not a list of numbers"); return
        }
        #expect(x == 2500 && text == "2.5e3")
        guard case let .object(inner) = members[1].value.value, case let .string(s) = inner[2].value.value else {
            Issue.record("no string"); return
        }
        #expect(s == "é\n")
    }

    @Test func syntaxErrorsGiveLineColumnAndWhatWasExpected() {
        let missingComma = syntaxError("{\n  \"a\": 1\n  \"b\": 2\n}")
        #expect(missingComma == JSONSyntaxError(position: TextPosition(line: 3, column: 3),
                                                message: "expected ',' or '}' after the value of 'a', found '\"'"))
        let trailing = syntaxError("[1, 2,]")
        #expect(trailing == JSONSyntaxError(position: TextPosition(line: 1, column: 7), message: "trailing comma before ']': remove the last ','"))
        let unterminated = syntaxError("{\"a\": \"abc")
        #expect(unterminated == JSONSyntaxError(position: TextPosition(line: 1, column: 7), message: "unterminated string (it starts here)"))
        let single = syntaxError("{'a': 1}")
        #expect(single?.message == "expected a field name in double quotes, found '''")
        let nan = syntaxError("{\"a\": NaN}")
        #expect(nan?.message == "NaN and Infinity are not JSON numbers; leave a bound out (or write null) for ±∞")
        #expect(syntaxError("")?.message == "the file is empty; a configuration is a JSON object { … }")
        #expect(syntaxError("{} x")?.message == "unexpected 'x' after the end of the JSON value; check for a missing ',' or an extra '}' or ']'")
        #expect(syntaxError("[01]")?.message == "numbers must not have leading zeros")
    }

    @Test func aKeyGivenTwiceInOneObjectIsAnError() {
        let error = syntaxError("{\n  \"initial\": 1,\n  \"initial\": 2\n}")
        #expect(error == JSONSyntaxError(position: TextPosition(line: 3, column: 3),
                                         message: "field 'initial' appears twice in the same object (first at line 2); keep one"))
    }

    @Test func suggestionsFindTheClosestName() {
        #expect(Suggestion.closest(to: "lattice_constnt", among: ["lattice", "lattice_constant", "cells"]) == "lattice_constant")
        #expect(Suggestion.closest(to: "xyz", among: ["lattice", "cells"]) == nil)
        #expect(Suggestion.distance("kitten", "sitting") == 3)
    }
}

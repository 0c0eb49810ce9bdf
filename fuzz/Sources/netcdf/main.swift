import FuzzDriver

runFuzzer { fuzz($0, $1) }

import Foundation
import Physics
import Verification

func observedConvergenceOrders(_ errors: [Double]) -> [Double] {
    zip(errors, errors.dropFirst()).map { log2($0 / $1) }
}

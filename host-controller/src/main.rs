//! planton-helm-controller: not available yet (see the controller issue).

fn main() {
    eprintln!("planton-helm-controller is not available yet");
    std::process::exit(2);
}

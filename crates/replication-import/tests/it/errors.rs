//! One test per kind of problem: each is reported at its file (and `line:col` inside it) with
//! the fix, every problem of a run at once, and no scenario is written.

use replication_import::{ImportProblem, ProblemKind, import};

use crate::Scratch;

const SOURCE: &str = "111122223333/us-east-1/s3/acme.prod-data";
const ROLE: &str = "111122223333/iam/roles/s3-crr-acme-data";

fn problems(scratch: &Scratch) -> Vec<ImportProblem> {
    let config = scratch.config();
    let problems = import(&config).expect_err("the import should fail");
    assert!(!config.out.exists(), "nothing is written on failure");
    problems
}

fn render(problems: &[ImportProblem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn malformed_json_is_located_in_its_file() {
    let s = Scratch::copy_of_sample("malformed");
    s.write(
        &format!("{SOURCE}/get-bucket-versioning.json"),
        "{\n    \"Status\": \"Enabled\",\n}\n",
    );
    let p = problems(&s);
    assert_eq!(p.len(), 1, "{}", render(&p));
    assert_eq!(p[0].kind, ProblemKind::Malformed);
    assert_eq!(p[0].at, Some((2, 24)), "{}", p[0]);
    assert!(p[0].message.contains("trailing comma"), "{}", p[0]);
    assert!(
        p[0].to_string()
            .starts_with(&format!("acme/{SOURCE}/get-bucket-versioning.json:2:24: ")),
        "{}",
        p[0]
    );
}

#[test]
fn schema_mistakes_are_each_reported_with_the_fix() {
    let s = Scratch::copy_of_sample("schema");
    let text = s
        .read(&format!("{SOURCE}/get-bucket-replication.json"))
        .replace(
            "\"Status\": \"Enabled\",\n                \"SourceSelectionCriteria\"",
            "\"Status\": \"enabled\",\n                \"SourceSelectionCriteria\"",
        )
        .replace(
            "\"StorageClass\": \"STANDARD_IA\"",
            "\"StorageClas\": \"STANDARD_IA\"",
        );
    s.write(&format!("{SOURCE}/get-bucket-replication.json"), &text);
    let p = problems(&s);
    let shown = render(&p);
    assert_eq!(p.len(), 2, "{shown}");
    assert!(
        p.iter()
            .all(|p| p.kind == ProblemKind::Malformed && p.at.is_some()),
        "{shown}"
    );
    assert!(shown.contains("`ReplicationConfiguration.Rules[0].Status` must be `Enabled` or `Disabled`, found `enabled`; did you mean `Enabled`?"), "{shown}");
    assert!(shown.contains("unknown member `ReplicationConfiguration.Rules[0].Destination.StorageClas`; did you mean `StorageClass`?"), "{shown}");
}

#[test]
fn another_commands_output_is_named_with_where_its_document_is() {
    let s = Scratch::copy_of_sample("wrapper");
    // `describe-key` saved where the encryption belongs, and the encryption wrapped once more.
    let describe =
        s.read("444455556666/us-west-2/kms/0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9/describe-key.json");
    s.write(&format!("{SOURCE}/get-bucket-encryption.json"), &describe);
    let enc = s.read("444455556666/us-west-2/s3/acme-dr.data/get-bucket-encryption.json");
    s.write(
        "444455556666/us-west-2/s3/acme-dr.data/get-bucket-encryption.json",
        &format!("{{\"Result\": {enc}}}"),
    );
    let p = problems(&s);
    let shown = render(&p);
    assert_eq!(p.len(), 2, "{shown}");
    assert!(
        p.iter().all(|p| p.kind == ProblemKind::UnknownWrapper),
        "{shown}"
    );
    assert!(shown.contains("this looks like `aws kms describe-key` output, not `aws s3api get-bucket-encryption` output"), "{shown}");
    assert!(
        shown.contains("the document seems to be in `Result.ServerSideEncryptionConfiguration`"),
        "{shown}"
    );
}

#[test]
fn references_outside_the_directory_say_what_to_fetch() {
    let s = Scratch::copy_of_sample("references");
    let text = s
        .read(&format!("{SOURCE}/get-bucket-replication.json"))
        .replace(
            "role/service-role/s3-crr-acme-data",
            "role/service-role/s3-crr-acme-dat",
        )
        .replacen(
            "arn:aws:s3:::acme-dr.data",
            "arn:aws:s3:::acme-dr.archive",
            1,
        )
        .replace(
            "key/0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9",
            "key/11111111-2222-4333-8444-555555555555",
        );
    s.write(&format!("{SOURCE}/get-bucket-replication.json"), &text);
    let p = problems(&s);
    let shown = render(&p);
    assert!(
        p.iter()
            .all(|p| p.kind == ProblemKind::UnknownReference && p.at.is_some()),
        "{shown}"
    );
    assert_eq!(p.len(), 2, "{shown}");
    assert!(shown.contains("role `arn:aws:iam::111122223333:role/service-role/s3-crr-acme-dat` is not in the directory; fetch it with `aws iam get-role --role-name s3-crr-acme-dat > acme/111122223333/iam/roles/s3-crr-acme-dat/get-role.json`"), "{shown}");
    assert!(
        shown.contains("destination bucket `acme-dr.archive` is not in the directory"),
        "{shown}"
    );
    // The replica key is checked only for a destination in the directory: the first rule's
    // destination is gone, and the second rule names no key.
}

#[test]
fn an_unknown_replica_key_names_the_describe_key_command() {
    let s = Scratch::copy_of_sample("key");
    let text = s
        .read(&format!("{SOURCE}/get-bucket-replication.json"))
        .replace(
            "key/0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9",
            "key/11111111-2222-4333-8444-555555555555",
        );
    s.write(&format!("{SOURCE}/get-bucket-replication.json"), &text);
    let p = problems(&s);
    assert_eq!(p.len(), 1, "{}", render(&p));
    assert_eq!(p[0].kind, ProblemKind::UnknownReference);
    assert!(p[0].message.contains("`aws kms describe-key --key-id arn:aws:kms:us-west-2:444455556666:key/11111111-2222-4333-8444-555555555555 --region us-west-2 > acme/444455556666/us-west-2/kms/11111111-2222-4333-8444-555555555555/describe-key.json`"), "{}", p[0]);
}

#[test]
fn two_documents_for_one_resource_are_refused() {
    let s = Scratch::copy_of_sample("duplicate");
    // The DR bucket saved under the production account too.
    for f in [
        "get-bucket-versioning.json",
        "get-bucket-encryption.json",
        "get-bucket-policy.json",
        "get-bucket-replication.json",
    ] {
        let text = s.read(&format!("444455556666/us-west-2/s3/acme-dr.data/{f}"));
        s.write(
            &format!("111122223333/us-west-2/s3/acme-dr.data/{f}"),
            &text,
        );
    }
    let p = problems(&s);
    assert_eq!(p.len(), 1, "{}", render(&p));
    assert_eq!(p[0].kind, ProblemKind::Duplicate);
    assert!(
        p[0].message.contains("bucket `acme-dr.data` is also at"),
        "{}",
        p[0]
    );
}

#[test]
fn a_missing_document_names_the_command_that_fetches_it() {
    let s = Scratch::copy_of_sample("missing");
    std::fs::remove_file(
        s.acme()
            .join(format!("{SOURCE}/get-bucket-encryption.json")),
    )
    .unwrap();
    std::fs::remove_file(
        s.acme()
            .join(format!("{ROLE}/get-policy-version.acme-crr-kms.json")),
    )
    .unwrap();
    let p = problems(&s);
    let shown = render(&p);
    assert_eq!(p.len(), 2, "{shown}");
    assert!(
        p.iter()
            .all(|p| p.kind == ProblemKind::Missing && p.at.is_none()),
        "{shown}"
    );
    assert!(shown.contains(&format!("acme/{SOURCE}/get-bucket-encryption.json: missing; fetch it with `aws s3api get-bucket-encryption --bucket acme.prod-data > acme/{SOURCE}/get-bucket-encryption.json`")), "{shown}");
    assert!(shown.contains("aws iam get-policy-version --policy-arn arn:aws:iam::111122223333:policy/acme-crr-kms --version-id $(aws iam get-policy --policy-arn arn:aws:iam::111122223333:policy/acme-crr-kms --query Policy.DefaultVersionId --output text)"), "{shown}");
}

#[test]
fn every_problem_of_a_run_is_reported_at_once() {
    let s = Scratch::copy_of_sample("all");
    s.write(
        &format!("{SOURCE}/get-bucket-versioning.json"),
        "{\"Status\": \"Enabled\",}",
    );
    s.write(
        &format!("{SOURCE}/get-bucket-encryption.json"),
        "{\"KeyMetadata\": {}}",
    );
    s.write("111122223333/us-east-1/s3/notes.txt", "stray");
    std::fs::remove_file(s.acme().join(format!("{ROLE}/get-role.json"))).unwrap();
    let p = problems(&s);
    let kinds: Vec<ProblemKind> = p.iter().map(|p| p.kind).collect();
    for k in [
        ProblemKind::Malformed,
        ProblemKind::UnknownWrapper,
        ProblemKind::Layout,
        ProblemKind::Missing,
    ] {
        assert!(kinds.contains(&k), "{k:?} missing from\n{}", render(&p));
    }
}

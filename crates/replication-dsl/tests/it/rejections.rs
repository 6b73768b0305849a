//! Every rejection the validator demands can be written: for each error code AWS answers a step
//! with, the `expect ... rejected <code>` that the validator's message asks for parses, bare and
//! quoted, and makes the rejection the scenario's tested outcome.

use replication_dsl::{parse_suite, validate_suite};
use replication_model::ProblemKind;

/// Every error code validation refuses a step with and lets a scenario expect instead:
/// `PutBucketReplication` (aws-facts a.4), `PutBucketVersioning` with a configuration present,
/// an SSE-C upload into a bucket that blocks SSE-C (aws-facts d.6), and an SSE-KMS upload under
/// a key KMS cannot use (aws-facts f, relayed by S3 with the `KMS.` prefix).
const EVERY_CODE: [&str; 7] = [
    "InvalidRequest",
    "InvalidArgument",
    "InvalidBucketState",
    "AccessDenied",
    "KMS.NotFoundException",
    "KMS.DisabledException",
    "KMS.KMSInvalidStateException",
];

/// One step AWS refuses with `code`.
struct Case {
    code: &'static str,
    steps: &'static str,
}

const CASES: [Case; 7] = [
    Case {
        code: "InvalidRequest",
        steps: r#"replication plain via replicator {
            rule r { priority: 1, filter: {}, delete_marker_replication: Disabled, destination: target };
        };"#,
    },
    Case {
        code: "InvalidArgument",
        steps: r#"replication source via replicator {
            rule r { priority: 1, filter: {}, delete_marker_replication: Disabled, destination: target };
            rule r { priority: 2, filter: {}, delete_marker_replication: Disabled, destination: target };
        };"#,
    },
    Case {
        code: "InvalidBucketState",
        steps: r#"replication source via replicator {
            rule r { priority: 1, filter: {}, delete_marker_replication: Disabled, destination: target };
        };
        set_versioning source Suspended;"#,
    },
    Case {
        code: "AccessDenied",
        steps: r#"put source "c.bin" = 1 KiB with sse_c(customer_key);"#,
    },
    Case {
        code: "KMS.NotFoundException",
        steps: r#"put source "k.bin" = 1 KiB with sse_kms(eu_key);"#,
    },
    Case {
        code: "KMS.DisabledException",
        steps: r#"disable_key src_key;
        put source "k.bin" = 1 KiB with sse_kms(src_key);"#,
    },
    Case {
        code: "KMS.KMSInvalidStateException",
        steps: r#"schedule_key_deletion src_key 7 days;
        put source "k.bin" = 1 KiB with sse_kms(src_key);"#,
    },
];

/// A scenario whose definitions every case shares, with `steps` and then `expect`.
fn scenario(steps: &str, expect: &str) -> String {
    format!(
        r#"
        /// One rejected step.
        rejected_step {{
            account prod = 111122223333;
            key src_key = kms(prod, "us-east-1");
            key eu_key = kms(prod, "eu-west-1");
            bucket source = s3(prod, "us-east-1") {{ versioning }};
            bucket target = s3(prod, "eu-west-1") {{ versioning }};
            bucket plain = s3(prod, "us-east-1");
            role replicator = iam(prod) {{ trust s3; }};
            {steps}
            {expect}
        }}
        "#
    )
}

/// The `expect ...` a rejection message asks for: ``add `<expect>` after this step``.
fn demanded_expect(message: &str) -> &str {
    let start = message
        .rfind("add `")
        .unwrap_or_else(|| panic!("no `add ...` in: {message}"))
        + "add `".len();
    let len = message[start..]
        .find('`')
        .unwrap_or_else(|| panic!("unterminated `add ...` in: {message}"));
    &message[start..start + len]
}

/// Validates and runs `text`, requiring every expectation to hold.
fn holds(text: &str) {
    let valid = validate_suite("rejections.scenario", text).unwrap_or_else(|d| {
        panic!(
            "{}\n{text}",
            d.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    for v in &valid {
        let outcome = replication_model::run(v).expect("the OS random generator works");
        let failed: Vec<String> = outcome
            .failed_expectations()
            .map(|e| e.located(Some("rejections.scenario")).to_string())
            .collect();
        assert!(
            failed.is_empty(),
            "{}\n{}",
            failed.join("\n"),
            outcome.report()
        );
    }
}

#[test]
fn every_demanded_rejection_is_writable_bare_and_quoted() {
    let codes: Vec<&str> = CASES.iter().map(|c| c.code).collect();
    assert_eq!(codes, EVERY_CODE, "one case per code, in order");
    for case in &CASES {
        let mut specs = parse_suite("rejections.scenario", &scenario(case.steps, ""))
            .unwrap_or_else(|d| panic!("{}: {d:?}", case.code));
        let problems = replication_model::validate(specs.remove(0))
            .expect_err("AWS refuses the step, and nothing expects it");
        assert_eq!(problems.len(), 1, "{}: {problems:#?}", case.code);
        assert_eq!(
            problems[0].kind,
            ProblemKind::Rejected {
                code: case.code.into()
            },
            "{}",
            problems[0].message
        );

        let demanded = demanded_expect(&problems[0].message);
        let bare = format!("rejected {}", case.code);
        assert!(demanded.ends_with(&bare), "{}: {demanded}", case.code);
        holds(&scenario(case.steps, &format!("{demanded};")));

        let quoted = demanded.replace(&bare, &format!("rejected \"{}\"", case.code));
        holds(&scenario(case.steps, &format!("{quoted};")));
    }
}

#[test]
fn a_malformed_error_code_is_located_and_says_the_form() {
    let steps = CASES[5].steps;
    for (expect, message) in [
        (
            r#"expect put source "k.bin" rejected "KMS DisabledException";"#,
            "`KMS DisabledException` is not an AWS error code; write letters and digits, with dots between parts, like `AccessDenied` or `KMS.DisabledException`",
        ),
        (
            r#"expect put source "k.bin" rejected KMS.;"#,
            "expected the rest of the error code after `KMS.`, like `KMS.DisabledException`, found `;`",
        ),
        (
            r#"expect put source "k.bin" rejected;"#,
            "expected the error code, like `AccessDenied` or `KMS.DisabledException`, found `;`",
        ),
    ] {
        let errors = validate_suite("rejections.scenario", &scenario(steps, expect))
            .expect_err("a malformed code is a syntax error");
        let messages: Vec<&str> = errors.iter().map(|d| d.message.as_str()).collect();
        assert!(messages.contains(&message), "{expect}: {messages:#?}");
    }
}

#[test]
fn a_different_code_than_the_one_aws_answers_says_which() {
    let text = scenario(
        CASES[5].steps,
        r#"expect put source "k.bin" rejected KMS.NotFoundException;"#,
    );
    let errors = validate_suite("rejections.scenario", &text).expect_err("the wrong code");
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(
        errors[0].message,
        "the upload of `k.bin` into `source` is rejected with `KMS.DisabledException`, not `KMS.NotFoundException`; expect `rejected KMS.DisabledException`"
    );
}

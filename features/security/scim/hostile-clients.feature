@security @scim
Feature: SCIM security: hostile clients
  The platform's SCIM endpoint refuses what no honest IdP sends: requests without the
  organisation's own token, malformed or oversized bodies, hostile filters. A refused request
  changes nothing. Concurrent updates to one group lose no update. The vendor does not matter
  here: the scenarios drive the endpoint directly.

  Background:
    Given Acme is a Managed organisation using Okta over SAML
    And Acme has issued a SCIM token to its IdP
    And Acme's SCIM directory holds Alice

  @req-SCIMSEC-AUTH-1
  Scenario Outline: A request without Acme's own token is refused (<request>)
    When a SCIM client sends Acme a request with <request>
    Then the SCIM request is refused with 401 and nothing changes [SCIMSEC-AUTH-1]

    Examples:
      | request                      |
      | no token                     |
      | a wrong token                |
      | another organisation's token |

  @req-SCIMSEC-BAD-1
  Scenario Outline: A malformed body is refused (<request>)
    When a SCIM client sends Acme a request with <request>
    Then the SCIM request is refused with 400 <scimType> and nothing changes [SCIMSEC-BAD-1]

    Examples:
      | request                    | scimType      |
      | malformed JSON             | invalidSyntax |
      | the Group schema on a User | invalidSyntax |
      | an unknown attribute       | invalidSyntax |

  @req-SCIMSEC-BAD-1
  Scenario: A body over the size limit is refused
    The reference SP answers 413 Payload Too Large (a SCIM Error without scimType) before it
    reads the body.
    When a SCIM client sends Acme a request with a body over 1 MiB
    Then the SCIM request is refused with 413 and nothing changes [SCIMSEC-BAD-1]

  @req-SCIMSEC-FLT-1
  Scenario Outline: A hostile filter is refused (<request>)
    When a SCIM client sends Acme a request with <request>
    Then the SCIM request is refused with 400 invalidFilter and nothing changes [SCIMSEC-FLT-1]

    Examples:
      | request                |
      | a deeply nested filter |
      | an injected filter     |
      | an unterminated filter |

  @req-SCIMSEC-CONC-1
  Scenario: Concurrent PATCHes to one group lose no update
    Given Acme's SCIM directory holds Bob
    And Acme's SCIM directory holds Carol
    And Acme's SCIM directory holds the group "eng"
    When two SCIM clients add Bob and Carol to Acme's group "eng" at once
    Then Acme's SCIM group "eng" holds Bob and Carol [SCIMSEC-CONC-1]

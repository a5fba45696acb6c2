@scim @managed @saml
Feature: SCIM usernames follow the platform's username rules
  A Managed account's username is SCIM's userName: letters, digits and single '-', no leading or
  trailing '-', not all digits, 2 to 42 characters, unique.

  @req-SCIM-8
  Scenario Outline: Bad userNames are refused with a SCIM error (<dialect>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Acme's IdP pushes SCIM to the platform in the <dialect> dialect
    And Alice is in Acme's <vendor> directory
    And Bob is in Acme's <vendor> directory
    And Acme's <vendor> has assigned Alice to the app
    Then Acme's <vendor> cannot assign Bob with username "-bob" [SCIM-8]
    And Acme's <vendor> cannot assign Bob with username "bob-" [SCIM-8]
    And Acme's <vendor> cannot assign Bob with username "12345" [SCIM-8]
    And Acme's <vendor> cannot assign Bob with username "b" [SCIM-8]
    And Acme's <vendor> cannot assign Bob with username "bob--smith" [SCIM-8]
    And Acme's <vendor> cannot assign Bob with username "bob_smith" [SCIM-8]
    And Acme's <vendor> cannot assign Bob with username "bobbobbobbobbobbobbobbobbobbobbobbobbobbobb" [SCIM-8]
    And Acme has exactly 1 member [SCIM-8]

    @okta
    Examples: Okta
      | vendor | dialect        |
      | Okta   | okta-catalogue |
      | Okta   | okta-custom    |

    @entra
    Examples: Entra
      | vendor | dialect                |
      | Entra  | entra                  |
      | Entra  | entra-aadoptscim062020 |

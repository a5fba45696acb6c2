@scim @managed @saml
Feature: Managed organisations follow the IdP's SCIM lifecycle
  In Managed mode SCIM owns the account: it creates and updates it, deactivation takes away access
  and sessions until a reactivation, and a delete removes the account. Okta never deletes: its
  unassign deactivates.

  @req-SCIM-M1 @req-SCIM-3
  Scenario Outline: SCIM creates Alice's account; her first SSO finds it (<dialect>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Acme's IdP pushes SCIM to the platform in the <dialect> dialect
    And Alice is in Acme's <vendor> directory
    When Acme's <vendor> assigns Alice to the app
    Then Alice is a member of Acme [SCIM-M1]
    When Alice signs in to Acme through SSO
    Then Alice is signed in as the account SCIM created for her at Acme [SCIM-M1]
    And Acme has exactly 1 member [SCIM-M1]

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

  @req-SCIM-M2
  Scenario Outline: SCIM updates Alice's profile (<dialect>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Acme's IdP pushes SCIM to the platform in the <dialect> dialect
    And Alice is in Acme's <vendor> directory
    And Acme's <vendor> has assigned Alice to the app
    When Acme's <vendor> renames Alice to "alicia"
    Then Alice's account is named "alicia" [SCIM-M2]
    And Alice is a member of Acme [SCIM-M2]

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

  @req-SCIM-M4 @req-MAN-6 @req-SESS-3
  Scenario Outline: Deactivation ends Alice's access and sessions; reactivation restores access (<dialect>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Acme's IdP pushes SCIM to the platform in the <dialect> dialect
    And Alice is in Acme's <vendor> directory
    And Acme's <vendor> has assigned Alice to the app
    And Alice has signed in to Acme through SSO
    When Acme's <vendor> deactivates Alice
    Then Alice is signed out of the platform [MAN-6, SESS-3]
    And Alice is not a member of Acme [SCIM-M4]
    And Alice's account is kept, deactivated [SCIM-M4]
    When Acme's <vendor> reactivates Alice
    And Alice signs in to Acme through SSO
    Then Alice is signed in as the account SCIM created for her at Acme [SCIM-M4]
    And Alice is a member of Acme [SCIM-M4]

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

  @req-SCIM-M5
  Scenario Outline: Entra's delete removes Alice's account (<dialect>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Acme's IdP pushes SCIM to the platform in the <dialect> dialect
    And Alice is in Acme's <vendor> directory
    And Acme's <vendor> has assigned Alice to the app
    And Alice has signed in to Acme through SSO
    When Acme's <vendor> deletes Alice
    Then Alice's account is gone [SCIM-M5]
    And Alice is signed out of the platform [SCIM-M5]
    And Acme has exactly 0 members [SCIM-M5]

    @entra
    Examples: Entra
      | vendor | dialect                |
      | Entra  | entra                  |
      | Entra  | entra-aadoptscim062020 |

  @req-SCIM-M5 @req-SCIM-M4
  Scenario Outline: Okta never deletes: unassigning and deleting Alice deactivate her account (<dialect>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Acme's IdP pushes SCIM to the platform in the <dialect> dialect
    And Alice is in Acme's <vendor> directory
    And Bob is in Acme's <vendor> directory
    And Acme's <vendor> has assigned Alice to the app
    And Acme's <vendor> has assigned Bob to the app
    When Acme's <vendor> unassigns Alice
    And Acme's <vendor> deletes Bob
    Then Alice's account is kept, deactivated [SCIM-M4]
    And Bob's account is kept, deactivated [SCIM-M5]
    And Acme has exactly 0 members [SCIM-M4]

    @okta
    Examples: Okta
      | vendor | dialect        |
      | Okta   | okta-catalogue |
      | Okta   | okta-custom    |
